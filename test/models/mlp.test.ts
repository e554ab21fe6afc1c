import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/models/load.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import { fit, lossAndAccuracy } from '../../lib/operators/train.ts';
import { mnistRows, useTestBackend } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'mlp-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('mlp', () => {
  it('learns a small real subset well above chance, and frees every tensor when disposed', async () => {
    const [trainSet, heldOut] = await Promise.all([mnistRows(0, 1500), mnistRows(1500, 500)]);
    const tensorsBefore = tf.memory().numTensors;
    const mlp = createMlp({ hidden: [128], seed: 1 });
    const untrained = lossAndAccuracy(mlp, heldOut).accuracy;
    await lastValueFrom(fit(mlp, trainSet, { epochs: 3, batchSize: 50 }));
    const trained = lossAndAccuracy(mlp, heldOut).accuracy;
    expect(trained).toBeGreaterThan(0.75);
    expect(trained).toBeGreaterThan(untrained + 0.4);
    mlp.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('is a Module: forward gives logits whose softmax is predict, parameters are the trainable weights', async () => {
    const images = await mnistRows(0, 20);
    const mlp = createMlp({ hidden: [16, 8], batchNorm: true, seed: 2 });
    const [batch] = [...images.batchIterator({ batchSize: 20 })];
    const logits = mlp.forward(batch.xs, false);
    const probabilities = mlp.predict(batch.xs);
    expect(logits.shape).toEqual([20, 10]);
    const softmaxed = tf.softmax(logits);
    expect(tf.max(tf.abs(tf.sub(softmaxed, probabilities))).dataSync()[0]).toBeLessThan(1e-6);
    // 784*16 + 16*8 + 8*10 + 10 kernels/biases plus gamma and beta of two batch norms
    const expected = 784 * 16 + 16 * 8 + 8 * 10 + 10 + 2 * (16 + 8);
    expect(mlp.parameterCount()).toBe(expected);
    expect(mlp.parameters().every((v) => v.trainable)).toBe(true);
    // batch-norm moving statistics are state but not parameters
    expect(mlp.stateVariables().length).toBe(mlp.parameters().length + 4);
    tf.dispose([logits, probabilities, softmaxed, batch.xs, batch.ys]);
    mlp.dispose();
  });

  it('saves model.json + weights.bin and reloads to identical predictions', async () => {
    const images = await mnistRows(0, 300);
    const mlp = createMlp({ hidden: [32], seed: 3 });
    await lastValueFrom(fit(mlp, images, { epochs: 1, batchSize: 100 }));
    const target = join(dir, 'saved-mlp');
    await mlp.save(target);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = (await readFile(join(target, 'weights.bin'))).length;
    expect(bytes).toBe(4 * json.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 1), 0));

    const reloaded = await loadModel(target);
    expect(reloaded.name).toBe('mlp');
    expect(reloaded.parameterCount()).toBe(mlp.parameterCount());
    const [batch] = [...images.batchIterator({ batchSize: 300 })];
    const before = mlp.predict(batch.xs);
    const after = reloaded.predict(batch.xs);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([before, after, batch.xs, batch.ys]);
    mlp.dispose();
    reloaded.dispose();
  });

  it('rejects a bad configuration with a one-line error naming the option', () => {
    expect(() => createMlp({ hidden: [] })).toThrow(/^mlp: hidden must be/);
    expect(() => createMlp({ dropout: 1 })).toThrow(/^mlp: dropout must be in \[0, 1\), got 1$/);
  });
});
