import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import type { JobOutcome, JobRunner } from '../../../lib/jobs/runners/jobRunner.ts';
import { defaultThreadsPerJob, localRunner, localWorkerCount } from '../../../lib/jobs/runners/localRunner.ts';
import type { DataReference, TrainingJobResult } from '../../../lib/jobs/trainingJob.ts';
import { tempDir } from '../../helpers/files.ts';
import { autoBackendName, useTestBackend } from '../../models/fixtures.ts';
import { doneIds, outcomesOf, probeJobs, tinyDataReference, tinyTrainingJobs } from './fixtures.ts';

let data: DataReference;
let runner: JobRunner;
beforeAll(async () => {
  await useTestBackend();
  data = await tinyDataReference(join(await tempDir('local-runner-'), 'data'));
  // as many threads per job as this process computes on, so that both give the same numbers
  runner = localRunner({ backend: autoBackendName(), workers: 2, threadsPerJob: Math.min(8, availableParallelism()) });
});
afterAll(() => runner.close());

/** The pid in a `started` outcome's `host:pid`. */
const pidOf = (outcome: JobOutcome): number => Number(outcome.type === 'started' && outcome.worker?.split(':')[1]);

describe('localRunner', () => {
  it('runs as many processes as the cores allow for the threads a job uses', () => {
    expect(localWorkerCount(2, defaultThreadsPerJob('native', 2))).toBe(2);
    expect(localWorkerCount(2, defaultThreadsPerJob('wasm', 2))).toBe(2);
    expect(localWorkerCount(8, defaultThreadsPerJob('native', 8))).toBe(8);
    expect(localWorkerCount(2, 2)).toBe(1);
    expect(localWorkerCount(8, defaultThreadsPerJob('tensorflow', 8))).toBe(1);
    expect(() => localRunner({ workers: 0 })).toThrow('localRunner: workers must be an integer >= 1, got 0');
  });

  it('gives the results the same jobs give in-process, on two processes', async () => {
    const jobs = tinyTrainingJobs('r-local', data, 3);
    const local = await outcomesOf(runner.run(jobs));
    const here = await outcomesOf(inProcessRunner().run(jobs));
    expect(doneIds(local).sort()).toEqual(jobs.map((job) => job.id));
    expect(new Set(local.filter((o) => o.type === 'started').map(pidOf)).size).toBe(2);
    for (const job of jobs) {
      const [a, b] = [local, here].map((outcomes) => (outcomes.find((o) => o.type === 'done' && o.job.id === job.id) as { result: TrainingJobResult }).result);
      expect(Array.from(a.predictions.test.probabilities)).toEqual(Array.from(b.predictions.test.probabilities));
      expect(a.metrics.valid).toEqual(JSON.parse(JSON.stringify(b.metrics.valid)));
    }
  });

  it('runs the job of a process killed mid-job again on a fresh one, and counts its result once', async () => {
    const jobs = probeJobs('r-kill', data, 2, 1500);
    const outcomes = await outcomesKillingFirst(runner, jobs);
    const first = outcomes.find((o) => o.type === 'started')!;
    expect(doneIds(outcomes).sort()).toEqual(jobs.map((job) => job.id));
    expect(outcomes.filter((o) => o.type === 'started' && o.job.id === first.job.id)).toHaveLength(2);
    const done = outcomes.find((o) => o.type === 'done' && o.job.id === first.job.id) as { result: { worker: string } };
    expect(Number(done.result.worker.split(':')[1])).not.toBe(pidOf(first));
  });

  it('stops when unsubscribed: the running jobs\' processes are killed, the waiting jobs never start', async () => {
    const seen: JobOutcome[] = [];
    const started = (): JobOutcome[] => seen.filter((o) => o.type === 'started');
    const subscription = runner.run(probeJobs('r-stop', data, 4, 10_000)).subscribe((outcome) => seen.push(outcome));
    await until(() => started().length === 2);
    subscription.unsubscribe();
    await until(() => started().every((o) => !alive(pidOf(o))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(started()).toHaveLength(2);
    expect(doneIds(await outcomesOf(runner.run(probeJobs('r-after', data, 1))))).toEqual(['r-after.probe-1']);
  });
});

/** Runs `jobs`, killing the process of the first job started; every outcome. */
async function outcomesKillingFirst(on: JobRunner, jobs: Parameters<JobRunner['run']>[0]): Promise<JobOutcome[]> {
  const seen: JobOutcome[] = [];
  await new Promise<void>((resolve, reject) =>
    on.run(jobs).subscribe({
      next: (outcome) => {
        seen.push(outcome);
        if (outcome.type === 'started' && seen.filter((o) => o.type === 'started').length === 1) process.kill(pidOf(outcome), 'SIGKILL');
      },
      error: reject,
      complete: resolve,
    }),
  );
  return seen;
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
