import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { readLabels } from '../../lib/io/submission.ts';
import { Cnn } from '../../lib/models/cnn.ts';
import { loadModel } from '../../lib/models/load.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import type { ModelMetrics } from '../../lib/types.ts';
import { trainModel, type TrainModelResult } from '../../lib/jobs/trainModel.ts';
import { autoBackendName, mnistRows, useTestBackend } from '../models/fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'train-model-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('trainModel', () => {
  it('writes the submission, the metrics (with held-out test scores) and a loadable model', async () => {
    const [train, valid, labelledTest] = await Promise.all([mnistRows(0, 400), mnistRows(400, 100), mnistRows(500, 60)]);
    const test = new DigitDataset(labelledTest.pixels, labelledTest.ids);
    const answers = new Map(Array.from(labelledTest.ids, (id, i) => [id, labelledTest.labels![i]]));
    const tensorsBefore = tf.memory().numTensors;
    const events = await lastValueFrom(
      trainModel({ model: 'mlp', data: { train, valid, test }, answers, outDir: dir, epochs: 2, batchSize: 100 }).pipe(toArray()),
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(2);
    const result = events.at(-1) as TrainModelResult;
    expect(result.type).toBe('result');

    const submission = await readLabels(result.files!.submission!);
    expect([...submission.keys()]).toEqual(Array.from(test.ids));
    const metrics = JSON.parse(await readFile(result.files!.metrics, 'utf8')) as ModelMetrics;
    expect(metrics).toEqual(JSON.parse(JSON.stringify(result.metrics)));
    expect(metrics.model).toBe('mlp');
    expect(metrics.backend).toBe(autoBackendName());
    expect(metrics.epochs).toBe(2);
    expect(metrics.history).toHaveLength(2);
    expect(metrics.valid.count).toBe(100);
    expect(metrics.testPredictions).toEqual([...submission.values()]);
    const correct = [...submission].filter(([id, label]) => answers.get(id) === label).length;
    expect(metrics.test!.accuracy).toBe(correct / 60);
    expect(metrics.timings.trainSeconds).toBeGreaterThan(0);

    const model = await loadModel(result.files!.model);
    expect(model.parameterCount()).toBe(metrics.parameters);
    const [batch] = [...test.batchIterator({ batchSize: 60 })];
    const predicted = tf.tidy(() => Array.from(tf.argMax(model.predict(batch.xs), 1).dataSync()));
    expect(predicted).toEqual(metrics.testPredictions);
    tf.dispose([batch.xs]);
    model.dispose();
  });

  it('builds the CNN its recipe’s architecture describes, and records the architecture', async () => {
    const [train, valid, test] = await Promise.all([mnistRows(0, 128), mnistRows(128, 32), mnistRows(160, 32)]);
    const architecture = { channels: [4, 8], convsPerBlock: 2, hidden: 16, dropout: 0.4 };
    const out = join(dir, 'deeper');
    const events = await lastValueFrom(
      trainModel({ model: 'cnn', data: { train, valid, test }, outDir: out, recipe: { epochs: 1, batchSize: 64, architecture, tta: false, members: 1 } }).pipe(toArray()),
    );
    const result = events.at(-1) as TrainModelResult;
    const model = await loadModel(result.files!.model);
    expect((model as Cnn).options).toMatchObject(architecture);
    expect(result.metrics.recipe?.architecture).toEqual(architecture);
    expect(model.parameterCount()).toBe(result.metrics.parameters);
    model.dispose();
  });
});

describe('trainModel with a model the caller made', () => {
  it('trains it with the given recipe, writes nothing without an out dir, and leaves the model to the caller', async () => {
    const [train, valid, test] = await Promise.all([mnistRows(0, 200), mnistRows(200, 50), mnistRows(250, 30)]);
    const tensorsBefore = tf.memory().numTensors;
    const model = createMlp({ seed: 3 });
    const events = await lastValueFrom(
      trainModel({ model, data: { train, valid, test }, recipe: { epochs: 1, batchSize: 50, maxLearningRate: 2e-3 } }).pipe(toArray()),
    );
    const result = events.at(-1) as TrainModelResult;
    expect(result.files).toBeUndefined();
    expect(result.metrics.model).toBe(model.name);
    expect(result.metrics.epochs).toBe(1);
    expect(result.metrics.batchSize).toBe(50);
    expect(result.metrics.backend).toBe(tf.getBackend());
    expect(result.metrics.testPredictions).toHaveLength(30);
    // still usable: trainModel did not dispose a model it did not create
    const probabilities = tf.tidy(() => model.predict(tf.zeros([2, 784])).arraySync());
    expect(probabilities).toHaveLength(2);
    expect(() => trainModel({ model, data: { train, valid, test }, recipe: { architecture: { convsPerBlock: 2 } } })).toThrow(
      /^trainModel: a recipe's architecture is for the built-in cnn; mlp is built already$/,
    );
    model.dispose();
    // what training made (the optimiser's moments included) belonged to the model
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
