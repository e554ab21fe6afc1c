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

  it('opens each block with more convolutions when asked, leaving every other layer as it was', async () => {
    const images = await mnistRows(0, 64);
    const tensorsBefore = tf.memory().numTensors;
    const plain = new Cnn({ ...SMALL, seed: 5 });
    const deeper = new Cnn({ ...SMALL, convsPerBlock: 2, seed: 5 });
    expect(deeper.namedState().filter(([name]) => name.endsWith('.kernel')).map(([name]) => name)).toEqual([
      'block0.inner0.conv.kernel',
      'block0.conv.kernel',
      'block1.inner0.conv.kernel',
      'block1.conv.kernel',
    ]);
    // the inner convs (8 -> 8 after 1 -> 8; 16 -> 16 after 8 -> 16) with their batch norms; the pooled convs now take the block's own channels
    const expected = 3 * 3 * 1 * 8 + 3 * 3 * 8 * 8 + 3 * 3 * 8 * 16 + 3 * 3 * 16 * 16 + 2 * 2 * (8 + 16) + (7 * 7 * 16 * 32 + 32) + (32 * 10 + 10);
    expect(deeper.parameterCount()).toBe(expected);
    const state = (cnn: Cnn): Map<string, number[]> => new Map(cnn.namedState().map(([name, v]) => [name, Array.from(v.dataSync())]));
    const [before, after] = [state(plain), state(deeper)];
    // same seeds: the first block's pooled conv differs only in its input channels, the rest are the same draws
    for (const name of ['block1.norm.gamma', 'fc1.weight', 'fc2.weight']) expect(after.get(name)).toEqual(before.get(name));
    const [batch] = [...images.batchIterator({ batchSize: 64, shape: 'image' })];
    const logits = deeper.forward(batch.xs, true);
    expect(logits.shape).toEqual([64, 10]);
    const { loss } = await deeper.trainStep(batch.xs, batch.ys!);
    expect(Number.isFinite(loss)).toBe(true);
    tf.dispose([logits, batch.xs, batch.ys]);
    plain.dispose();
    deeper.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('gives ensemble members’ inner convolutions draws of their own', () => {
    // memberSeed spaces members 1,000 apart: no kernel of one member may be a rescaled copy of another's
    const [first, second] = [0, 1000].map((seed) => new Cnn({ ...SMALL, convsPerBlock: 2, seed }));
    const draws = (cnn: Cnn): number[][] =>
      cnn.namedState().filter(([name]) => name.endsWith('.kernel')).map(([, v]) => {
        const values = Array.from(v.dataSync()).slice(0, 8);
        return values.map((x) => Number((x / values[0]).toPrecision(5)));
      });
    for (const mine of draws(first)) for (const theirs of draws(second)) expect(theirs).not.toEqual(mine);
    first.dispose();
    second.dispose();
  });

  it('saves and reloads a deeper CNN, and reloads one saved before convsPerBlock existed', async () => {
    const images = await mnistRows(0, 100);
    const deeper = new Cnn({ ...SMALL, convsPerBlock: 3, seed: 6 });
    await lastValueFrom(fit(deeper, images, { epochs: 1, batchSize: 50 }));
    const target = join(dir, 'deeper-cnn');
    await deeper.save(target);
    const reloaded = await loadModel(target);
    expect((reloaded as Cnn).options.convsPerBlock).toBe(3);
    const [batch] = [...images.batchIterator({ batchSize: 100, shape: 'image' })];
    const [before, after] = [deeper.predict(batch.xs), reloaded.predict(batch.xs)];
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));

    const old = new Cnn({ ...SMALL, seed: 7 });
    const oldTarget = join(dir, 'old-cnn');
    await old.save(oldTarget);
    const json = JSON.parse(await readFile(join(oldTarget, 'model.json'), 'utf8'));
    delete json.modelTopology.options.convsPerBlock;
    await writeFile(join(oldTarget, 'model.json'), JSON.stringify(json));
    const oldReloaded = await loadModel(oldTarget);
    expect((oldReloaded as Cnn).options.convsPerBlock).toBe(1);
    const [oldBefore, oldAfter] = [old.predict(batch.xs), oldReloaded.predict(batch.xs)];
    expect(Array.from(oldAfter.dataSync())).toEqual(Array.from(oldBefore.dataSync()));
    tf.dispose([before, after, oldBefore, oldAfter, batch.xs, batch.ys]);
    for (const model of [deeper, reloaded, old, oldReloaded]) model.dispose();
  });

  it('rejects a bad configuration with a one-line error naming the option', () => {
    expect(() => new Cnn({ convsPerBlock: 0 })).toThrow(/^cnn: convsPerBlock must be a positive integer, got 0$/);
    expect(() => new Cnn({ channels: [8, 0] })).toThrow(/^cnn: channels must be/);
    expect(() => new Cnn({ kernelSize: 2.5 })).toThrow(/^cnn: kernelSize must be a positive integer, got 2.5$/);
  });
});
