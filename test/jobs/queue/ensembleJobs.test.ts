import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReferencedData, type ReferencedData } from '../../../lib/jobs/jobData.ts';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import type { JobOutcome, JobRunner } from '../../../lib/jobs/runners/jobRunner.ts';
import { trainEnsemble, type EnsembleEvent } from '../../../lib/jobs/trainEnsemble.ts';
import type { DataReference, JobSpec } from '../../../lib/jobs/trainingJob.ts';
import type { TrainModelResult } from '../../../lib/jobs/trainModel.ts';
import type { ModelMetrics } from '../../../lib/types.ts';
import { tempDir } from '../../helpers/files.ts';
import { useTestBackend } from '../../models/fixtures.ts';
import { reversingRunner, tinyDataReference } from './fixtures.ts';

let dir: string;
let reference: DataReference;
let data: ReferencedData;
beforeAll(async () => {
  await useTestBackend();
  dir = await tempDir('ensemble-jobs-');
  reference = await tinyDataReference(join(dir, 'data'));
  data = await readReferencedData(reference);
});

/** A runner on which the jobs of `failing` members fail on their last attempt. */
function failingRunner(failing: readonly number[]): JobRunner {
  const inner = inProcessRunner();
  const failed = (outcome: JobOutcome): JobOutcome =>
    outcome.type === 'done' && failing.includes((outcome.job as { index: number }).index)
      ? { type: 'failed', job: outcome.job, error: 'out of memory', attempts: 2 }
      : outcome;
  return { description: 'failing', run: (jobs: readonly JobSpec[]) => inner.run(jobs).pipe(map(failed)), close: () => inner.close() };
}

const settings = () => ({ model: 'mlp' as const, members: 3, data: data.data, answers: data.answers, epochs: 1, batchSize: 64, seed: 5 });

async function filesOf(out: string): Promise<Record<string, string>> {
  const names = ['submission-mlp.csv', 'metrics-mlp.json', ...(await readdir(join(out, 'model-mlp'))).filter((n) => n.endsWith('.json')).map((n) => join('model-mlp', n))];
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(out, name), 'utf8');
  return files;
}

/** A metrics file without what depends on the clock. */
function untimed(text: string): unknown {
  const metrics = JSON.parse(text) as ModelMetrics & Record<string, unknown>;
  return {
    ...metrics,
    timings: undefined,
    history: metrics.history.map((e) => ({ ...e, seconds: undefined, samplesPerSec: undefined })),
    ensemble: metrics.ensemble && { ...metrics.ensemble, members: metrics.ensemble.members.map((m) => ({ ...m, trainSeconds: undefined })) },
  };
}

describe('trainEnsemble with jobs', () => {
  it('writes what the in-process ensemble writes, whatever order the members finish in', async () => {
    const inProcess = join(dir, 'in-process');
    const asJobs = join(dir, 'jobs');
    const tensors = tf.memory().numTensors;
    await lastValueFrom(trainEnsemble({ ...settings(), outDir: inProcess }));
    const events: EnsembleEvent[] = await lastValueFrom(trainEnsemble({ ...settings(), outDir: asJobs, jobs: { runner: reversingRunner(), data: reference } }).pipe(toArray()));
    expect(tf.memory().numTensors).toBe(tensors);
    const [expected, got] = [await filesOf(inProcess), await filesOf(asJobs)];
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    expect(got['submission-mlp.csv']).toBe(expected['submission-mlp.csv']);
    for (const name of Object.keys(expected).filter((n) => n.endsWith('.json'))) expect(untimed(got[name]), name).toEqual(untimed(expected[name]));
    expect((await readdir(join(asJobs, 'model-mlp', 'model-mlp-3'))).sort()).toEqual(['model.json', 'weights.bin']);
    // the members finished 3, 2, 1: each announced as it started
    expect(events.filter((e) => e.type === 'member').map((e) => e.type === 'member' && e.member)).toEqual([3, 2, 1]);
  });

  it('deals a list of architectures to the members in turn, in process and as jobs alike', async () => {
    const architecture = [{ channels: [4, 8], hidden: 16 }, { channels: [4, 8], hidden: 16, convsPerBlock: 2 }];
    const cnn = { ...settings(), model: 'cnn' as const, recipe: { architecture, tta: false } };
    const [inProcess, asJobs] = [join(dir, 'mixed-in-process'), join(dir, 'mixed-jobs')];
    const here = (await lastValueFrom(trainEnsemble({ ...cnn, outDir: inProcess }))) as TrainModelResult;
    const jobs = (await lastValueFrom(trainEnsemble({ ...cnn, outDir: asJobs, jobs: { runner: reversingRunner(), data: reference } }))) as TrainModelResult;
    expect(here.metrics.recipe?.architecture).toEqual(architecture);
    expect(jobs.metrics.recipe?.architecture).toEqual(architecture);
    expect(await readFile(join(asJobs, 'submission-cnn.csv'), 'utf8')).toBe(await readFile(join(inProcess, 'submission-cnn.csv'), 'utf8'));
    for (const out of [inProcess, asJobs]) {
      for (const [member, expected] of [[1, architecture[0]], [2, architecture[1]], [3, architecture[0]]] as const) {
        const saved = JSON.parse(await readFile(join(out, 'model-cnn', `model-cnn-${member}`, 'model.json'), 'utf8'));
        expect(saved.modelTopology.options, `${out} member ${member}`).toMatchObject({ convsPerBlock: 1, ...expected });
        const metrics = JSON.parse(await readFile(join(out, 'model-cnn', `metrics-cnn-${member}.json`), 'utf8')) as ModelMetrics;
        expect(metrics.recipe?.architecture).toEqual(expected);
      }
    }
  });

  it('of one member is the single model, written as trainModel writes it', async () => {
    const out = join(dir, 'single');
    const last = (await lastValueFrom(trainEnsemble({ ...settings(), members: 1, outDir: out, jobs: { runner: inProcessRunner(), data: reference } }))) as TrainModelResult;
    expect((await readdir(out)).sort()).toEqual(['metrics-mlp.json', 'model-mlp', 'submission-mlp.csv']);
    expect((await readdir(join(out, 'model-mlp'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect(last.metrics.ensemble).toBeUndefined();
  });

  it("finishes with the members that succeeded, or fails naming the member, as onMemberFailure says", async () => {
    const skipped = await lastValueFrom(trainEnsemble({ ...settings(), jobs: { runner: failingRunner([2]), data: reference, onMemberFailure: 'skip' } }).pipe(toArray()));
    expect(skipped.filter((e) => e.type === 'member-failed')).toEqual([{ type: 'member-failed', member: 2, members: 3, seed: 1005, error: 'out of memory', attempts: 2 }]);
    const result = skipped.at(-1) as TrainModelResult;
    expect(result.metrics.ensemble?.members.map((m) => [m.member, m.seed])).toEqual([
      [1, 5],
      [3, 2005],
    ]);
    await expect(lastValueFrom(trainEnsemble({ ...settings(), jobs: { runner: failingRunner([2]), data: reference } }))).rejects.toThrow(
      'ensemble: mlp member 2 (seed 1005) failed after 2 attempts: out of memory',
    );
    await expect(lastValueFrom(trainEnsemble({ ...settings(), jobs: { runner: failingRunner([1, 2, 3]), data: reference, onMemberFailure: 'skip' } }))).rejects.toThrow(
      'ensemble: no member of mlp trained: every one failed',
    );
  });
});
