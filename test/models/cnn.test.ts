import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cnn } from '../../lib/models/cnn.ts';
import { loadModel } from '../../lib/models/load.ts';
import { fit, lossAndAccuracy } from '../../lib/operators/train.ts';
import { mnistRows, useTestBackend } from './fixtures.ts';

const SMALL = { channels: [8, 16], hidden: 32 };

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'cnn-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cnn', () => {
  it('learns a small real subset well above chance, and frees every tensor when disposed', async () => {
    const [trainSet, heldOut] = await Promise.all([mnistRows(0, 1200), mnistRows(1200, 400)]);
    const tensorsBefore = tf.memory().numTensors;
    const cnn = new Cnn({ ...SMALL, seed: 1 });
    const untrained = lossAndAccuracy(cnn, heldOut).accuracy;
    await lastValueFrom(fit(cnn, trainSet, { epochs: 3, batchSize: 50 }));
    const trained = lossAndAccuracy(cnn, heldOut).accuracy;
    expect(trained).toBeGreaterThan(0.75);
    expect(trained).toBeGreaterThan(untrained + 0.4);
    cnn.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('trains only its parameters and keeps batch-norm running statistics as state', async () => {
    const images = await mnistRows(0, 64);
    const cnn = new Cnn({ ...SMALL, seed: 2 });
    const running = cnn.namedState().filter(([name]) => name.endsWith('runningMean'));
    expect(running.map(([name]) => name)).toEqual(['block0.norm.runningMean', 'block1.norm.runningMean']);
    const [batch] = [...images.batchIterator({ batchSize: 64, shape: 'image' })];
    const meanBefore = Array.from(running[0][1].dataSync());
    await cnn.trainStep(batch.xs, batch.ys!);
    expect(Array.from(running[0][1].dataSync())).not.toEqual(meanBefore);
    expect(cnn.parameters().every((v) => v.trainable)).toBe(true);
    expect(cnn.stateVariables().length).toBe(cnn.parameters().length + 2 * SMALL.channels.length);
    // conv kernels (no bias) + batch-norm gamma/beta + two dense layers
    const expected = 3 * 3 * 1 * 8 + 3 * 3 * 8 * 16 + 2 * (8 + 16) + (7 * 7 * 16 * 32 + 32) + (32 * 10 + 10);
    expect(cnn.parameterCount()).toBe(expected);
    tf.dispose([batch.xs, batch.ys]);
    cnn.dispose();
  });

  it('saves model.json + weights.bin and reloads to identical predictions', async () => {
    const images = await mnistRows(0, 200);
    const cnn = new Cnn({ ...SMALL, seed: 3 });
    await lastValueFrom(fit(cnn, images, { epochs: 1, batchSize: 100 }));
    const target = join(dir, 'saved-cnn');
    await cnn.save(target);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.modelTopology).toEqual({ kind: 'cnn', options: cnn.options });
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(cnn.namedState().map(([n]) => n));

    const reloaded = await loadModel(target);
    expect(reloaded).toBeInstanceOf(Cnn);
    const [batch] = [...images.batchIterator({ batchSize: 200, shape: 'image' })];
    const before = cnn.predict(batch.xs);
    const after = reloaded.predict(batch.xs);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([before, after, batch.xs, batch.ys]);
    cnn.dispose();
    reloaded.dispose();
  });

  it('refuses weights that do not fit its shape, naming the weight', async () => {
    const target = join(dir, 'mismatched');
    const cnn = new Cnn({ ...SMALL, seed: 4 });
    await cnn.save(target);
    cnn.dispose();
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    json.modelTopology.options.hidden = 64;
    await writeFile(join(target, 'model.json'), JSON.stringify(json));
    const tensorsBefore = tf.memory().numTensors;
    await expect(loadModel(target)).rejects.toThrow(/weights\.bin: weight fc1\.weight missing or not of shape \[784, 64\]/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects a bad configuration with a one-line error naming the option', () => {
    expect(() => new Cnn({ channels: [8, 0] })).toThrow(/^cnn: channels must be/);
    expect(() => new Cnn({ kernelSize: 2.5 })).toThrow(/^cnn: kernelSize must be a positive integer, got 2.5$/);
  });
});
