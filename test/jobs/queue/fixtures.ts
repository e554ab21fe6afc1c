import { join } from 'node:path';
import { from, lastValueFrom, mergeMap, toArray, type Observable } from 'rxjs';
import { dataReference } from '../../../lib/jobs/jobData.ts';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import type { JobOutcome, JobRunner } from '../../../lib/jobs/runners/jobRunner.ts';
import { JOB_FORMAT_VERSION, jobId, resolvedRecipe, trainingJobs, type DataReference, type ProbeJob, type TrainingJob } from '../../../lib/jobs/trainingJob.ts';
import { writeKaggleCsvs } from '../../helpers/kaggleCsvs.ts';

/** The repository, where the CLI is built (dist/pipelines/digits.js). */
export const ROOT = join(import.meta.dirname, '../../..');
export const CLI = join(ROOT, 'dist/pipelines/digits.js');

/** A small Kaggle-format pair of real digits in `dir` (300 train rows -> 270 / 30 after the split, 50 test rows), by reference. */
export async function tinyDataReference(dir: string, rows: { train: number; test: number } = { train: 300, test: 50 }): Promise<DataReference> {
  const files = await writeKaggleCsvs(dir, rows.train, rows.test);
  return dataReference({ train: files.train, test: files.test, seed: 3 }, files);
}

/** `count` ensemble members of the MLP on `data`, `epochs` epochs each, seeds 1, 1001, 2001, ... */
export function tinyTrainingJobs(run: string, data: DataReference, count: number, epochs = 1): TrainingJob[] {
  const recipe = resolvedRecipe('mlp', { epochs, batchSize: 64 });
  return trainingJobs({ run, data, model: 'mlp', role: 'member', members: Array.from({ length: count }, (_, k) => ({ seed: 1 + 1000 * k, recipe })) });
}

/** `count` probe jobs: they check the data and answer, training nothing (see `ProbeJob`). */
export function probeJobs(run: string, data: DataReference, count: number, holdMs?: number): ProbeJob[] {
  return Array.from({ length: count }, (_, k) => ({
    version: JOB_FORMAT_VERSION,
    kind: 'probe',
    id: jobId(run, 'probe', k + 1),
    run,
    data,
    index: k + 1,
    ...(holdMs === undefined ? {} : { holdMs }),
  }));
}

/** Every outcome of a run, in order. */
export function outcomesOf(run: Observable<JobOutcome>): Promise<JobOutcome[]> {
  return lastValueFrom(run.pipe(toArray()));
}

/** The ids of the jobs that ended `done`, in completion order. */
export function doneIds(outcomes: readonly JobOutcome[]): string[] {
  return outcomes.filter((o) => o.type === 'done').map((o) => o.job.id);
}

/** A runner that runs the jobs in-process, then reports them last job first (each job's outcomes in order), as a queue may finish them. */
export function reversingRunner(): JobRunner {
  const inner = inProcessRunner();
  const lastJobFirst = (outcomes: JobOutcome[]): JobOutcome[] => {
    const ids = [...new Set(outcomes.map((o) => o.job.id))].reverse();
    return ids.flatMap((id) => outcomes.filter((o) => o.job.id === id));
  };
  return {
    description: 'in reverse',
    run: (jobs) =>
      inner.run(jobs).pipe(
        toArray(),
        mergeMap((outcomes) => from(lastJobFirst(outcomes))),
      ),
    close: () => inner.close(),
  };
}
