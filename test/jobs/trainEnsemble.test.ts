import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { readLabels } from '../../lib/io/submission.ts';
import { trainEnsemble, type EnsembleEvent } from '../../lib/jobs/trainEnsemble.ts';
import { trainModel, type ModelPredictions, type TrainModelResult } from '../../lib/jobs/trainModel.ts';
import { loadModel } from '../../lib/models/load.ts';
import { averagePredictions } from '../../lib/operators/averagePredictions.ts';
import { concatPredictions, predict } from '../../lib/operators/predict.ts';
import type { ModelMetrics } from '../../lib/types.ts';
import { mnistRows, useTestBackend } from '../models/fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'train-ensemble-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function tinyData() {
  const [train, valid, labelledTest] = await Promise.all([mnistRows(0, 300), mnistRows(300, 80), mnistRows(380, 50)]);
  const test = new DigitDataset(labelledTest.pixels, labelledTest.ids);
  const answers = new Map(Array.from(labelledTest.ids, (id, i) => [id, labelledTest.labels![i]]));
  return { data: { train, valid, test }, answers };
}

describe('trainEnsemble', () => {
  it('of one member is the single model of the same seed', async () => {
    const { data, answers } = await tinyData();
    const settings = { data, answers, epochs: 1, batchSize: 100, seed: 7 };
    const single = (await lastValueFrom(trainModel({ model: 'mlp', ...settings }))) as TrainModelResult;
    const ensemble = (await lastValueFrom(trainEnsemble({ model: 'mlp', members: 1, ...settings }))) as TrainModelResult;
    expect(Array.from(ensemble.predictions.test.probabilities)).toEqual(Array.from(single.predictions.test.probabilities));
    expect(ensemble.metrics.valid).toEqual(single.metrics.valid);
    expect(ensemble.metrics.ensemble).toBeUndefined();
  });

  it('trains members that differ by seed, writes one submission of their averaged probabilities, and each member loads', async () => {
    const { data, answers } = await tinyData();
    const tensorsBefore = tf.memory().numTensors;
    const events: EnsembleEvent[] = await lastValueFrom(
      trainEnsemble({ model: 'mlp', members: 3, data, answers, outDir: dir, epochs: 1, batchSize: 100, seed: 1 }).pipe(toArray()),
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(events.filter((e) => e.type === 'member').map((e) => e.type === 'member' && [e.member, e.seed])).toEqual([[1, 1], [2, 1001], [3, 2001]]);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    const result = events.at(-1) as TrainModelResult;
    const { ensemble } = result.metrics;
    expect(ensemble?.members.map((m) => m.member)).toEqual([1, 2, 3]);
    expect(new Set(ensemble?.members.map((m) => m.validAccuracy)).size).toBeGreaterThan(1);

    // the files: one submission and metrics for the ensemble, the members inside model-mlp/
    expect((await readdir(dir)).sort()).toEqual(['metrics-mlp.json', 'model-mlp', 'submission-mlp.csv']);
    expect((await readdir(join(dir, 'model-mlp'))).sort()).toEqual(['metrics-mlp-1.json', 'metrics-mlp-2.json', 'metrics-mlp-3.json', 'model-mlp-1', 'model-mlp-2', 'model-mlp-3']);
    const written = JSON.parse(await readFile(result.files!.metrics, 'utf8')) as ModelMetrics;
    expect(written).toEqual(JSON.parse(JSON.stringify(result.metrics)));

    // the saved members, loaded and averaged by hand, give the ensemble's submission and scores
    const memberPredictions: ModelPredictions[] = [];
    for (const k of [1, 2, 3]) {
      const model = await loadModel(join(dir, 'model-mlp', `model-mlp-${k}`));
      memberPredictions.push({
        valid: concatPredictions(await lastValueFrom(data.valid.batches({ batchSize: 1000 }).pipe(predict(model), toArray()))),
        test: concatPredictions(await lastValueFrom(data.test.batches({ batchSize: 1000 }).pipe(predict(model), toArray()))),
      });
      model.dispose();
    }
    const test = averagePredictions(memberPredictions.map((p) => p.test));
    const submission = await readLabels(result.files!.submission!);
    expect(Array.from(test.ids, (id) => submission.get(id))).toEqual(Array.from(test.labels));
    const valid = averagePredictions(memberPredictions.map((p) => p.valid));
    const validAccuracy = valid.labels.reduce((n, label, i) => n + (label === valid.truth![i] ? 1 : 0), 0) / valid.labels.length;
    expect(result.metrics.valid.accuracy).toBe(validAccuracy);
    const heldOut = test.labels.reduce((n, label, i) => n + (label === answers.get(test.ids[i]) ? 1 : 0), 0) / test.labels.length;
    expect(result.metrics.test?.accuracy).toBe(heldOut);
    const disagreements = memberPredictions[0].test.labels.reduce(
      (n, label, i) => n + (memberPredictions.some((p) => p.test.labels[i] !== label) ? 1 : 0),
      0,
    );
    expect(ensemble?.testDisagreements).toBe(disagreements);
  });

  it('refuses a member count that is not a whole number >= 1', () => {
    expect(() => trainEnsemble({ model: 'cnn', members: 0, data: undefined as never })).toThrow(/members must be an integer >= 1, got 0/);
  });
});
