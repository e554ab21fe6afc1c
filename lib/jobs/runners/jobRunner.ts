import type { Observable } from 'rxjs';
import type { EpochStats } from '../../types.ts';
import type { JobResult, JobSpec } from '../trainingJob.ts';

/** A worker took the job (again, after a worker was lost or an attempt failed). */
export interface JobStartedOutcome {
  type: 'started';
  job: JobSpec;
  /** `host:pid` of the process that took it, where the runner knows it. */
  worker?: string;
}

/** An epoch of the job finished. */
export interface JobEpochOutcome {
  type: 'epoch';
  job: JobSpec;
  stats: EpochStats;
}

/** The job finished: its result, counted once whatever happened to the workers on the way. */
export interface JobDoneOutcome {
  type: 'done';
  job: JobSpec;
  result: JobResult;
}

/** The job failed on its last attempt (or at once, when no attempt could succeed: a payload that fails the schema). */
export interface JobFailedOutcome {
  type: 'failed';
  job: JobSpec;
  /** The last attempt's error, one line. */
  error: string;
  /** Attempts made. */
  attempts: number;
}

/** What a {@link JobRunner} reports about the jobs it runs, in the order things happen. */
export type JobOutcome = JobStartedOutcome | JobEpochOutcome | JobDoneOutcome | JobFailedOutcome;

/**
 * Runs jobs somewhere: in this process (`inProcessRunner`), on worker processes of this machine
 * (`localRunner`) or on a BullMQ queue in Redis that `digits worker` processes serve on any machine
 * (`queueRunner`). Jobs go in; their outcomes come out as they happen, each job's `done` or `failed`
 * exactly once, in completion order, and the Observable completes when every job has one. Callers
 * make their final output independent of that order (an ensemble sorts its members).
 *
 * @example
 * runner.run(jobs).pipe(filter((o) => o.type === 'done'), toArray()).subscribe((done) => combine(done));
 */
export interface JobRunner {
  /** Where the jobs run, for progress lines: `in this process`, `2 local worker processes`, `queue … at redis://…`. */
  readonly description: string;
  /**
   * Runs the jobs (a job id already run to completion on this runner gives its result without
   * running again, where the runner keeps results). Unsubscribing cancels what has not finished:
   * jobs not yet started are dropped, running ones stopped where the runner can.
   */
  run(jobs: readonly JobSpec[]): Observable<JobOutcome>;
  /** Forgets the kept results of these jobs, once the caller has stored them (default: nothing kept). */
  discard?(jobs: readonly JobSpec[]): Promise<void>;
  /** Releases worker processes and connections. */
  close(): Promise<void>;
}

/** Default attempts of a job before it is reported as failed. */
export const DEFAULT_ATTEMPTS = 2;

/** A failure as one line, without a stack. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
