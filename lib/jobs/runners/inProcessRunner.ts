import { catchError, concat, defer, map, mergeMap, type Observable, of } from 'rxjs';
import { UserError } from '../../errors.ts';
import { runTrainingJob, workerName, type RunTrainingJobOptions } from '../runTrainingJob.ts';
import { JobPayloadError, parseJob, type JobSpec } from '../trainingJob.ts';
import { DEFAULT_ATTEMPTS, errorLine, type JobOutcome, type JobRunner } from './jobRunner.ts';

/** Options of {@link inProcessRunner}. */
export interface InProcessRunnerOptions extends RunTrainingJobOptions {
  /** Tries per job before it is reported failed (default 2). */
  attempts?: number;
}

/**
 * A {@link JobRunner} that runs jobs one after another in this process, on the backend this
 * process selected: no worker processes, no Redis. Each job goes through the same JSON and schema
 * check a worker applies, so a job that runs here runs the same on a worker.
 *
 * @example
 * const runner = inProcessRunner();
 * runner.run(jobs).subscribe((outcome) => outcome.type === 'done' && console.log(outcome.job.id));
 */
export function inProcessRunner(options: InProcessRunnerOptions = {}): JobRunner {
  const { attempts = DEFAULT_ATTEMPTS, ...runOptions } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new UserError(`inProcessRunner: attempts must be an integer >= 1, got ${attempts}`);
  const attempt = (job: JobSpec, made: number): Observable<JobOutcome> =>
    concat(
      of<JobOutcome>({ type: 'started', job, worker: workerName() }),
      defer(() => runTrainingJob(parseJob(JSON.parse(JSON.stringify(job))), runOptions)).pipe(
        map((event): JobOutcome => (event.type === 'epoch' ? { type: 'epoch', job, stats: event.stats } : { type: 'done', job, result: event.result })),
      ),
    ).pipe(
      catchError((error: unknown) =>
        made < attempts && !(error instanceof JobPayloadError) ? attempt(job, made + 1) : of<JobOutcome>({ type: 'failed', job, error: errorLine(error), attempts: made }),
      ),
    );
  return {
    description: 'in this process',
    run: (jobs) => of(...jobs).pipe(mergeMap((job) => attempt(job, 1), 1)),
    close: async () => {},
  };
}
