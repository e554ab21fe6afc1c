import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFormat, MNIST_FORMAT, sameFormat, type ImageFormat } from '../../lib/data/format.ts';
import { UserError } from '../../lib/errors.ts';
import { Cnn, cnnBlocksFor } from '../../lib/models/cnn.ts';
import { createModel, MODEL_NAMES } from '../../lib/models/createModel.ts';
import { loadModel } from '../../lib/models/load.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import type { DigitModel } from '../../lib/models/model.ts';
import { randomImages, useTestBackend } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'model-formats-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const FORMATS: Array<[string, ImageFormat]> = [
  ['14x14 grey, 3 classes', imageFormat({ width: 14, height: 14, classes: 3 })],
  ['32x32 RGB, 5 named classes', imageFormat({ width: 32, height: 32, channels: 3, classes: ['cat', 'dog', 'frog', 'ship', 'truck'] })],
  ['20x30 grey, 24 classes', imageFormat({ width: 20, height: 30, classes: 24 })],
  ['64x64 grey, 10 classes', imageFormat({ width: 64, height: 64, classes: 10 })],
];
const BATCH = 6;

/** One batch of `BATCH` random images of the model's format, in the shape the model takes. */
function batchFor(model: DigitModel, seed: number): { xs: tf.Tensor; ys: tf.Tensor2D } {
  const [batch] = [...randomImages(model.format, BATCH, seed).batchIterator({ batchSize: BATCH, shape: model.inputShape })];
  return { xs: batch.xs, ys: batch.ys! };
}

describe.each(FORMATS)('built-in models on %s', (_title, format) => {
  it.each(MODEL_NAMES)('%s: sized from the format, trains a step, and reloads to the same predictions and format', async (name) => {
    const tensorsBefore = tf.memory().numTensors;
    const model = createModel(name, { format, seed: 7 });
    expect(model.format).toBe(format);
    const { xs, ys } = batchFor(model, 3);
    const logits = model.forward(xs, false);
    const probabilities = model.predict(xs);
    expect(logits.shape).toEqual([BATCH, format.classes.length]);
    expect(probabilities.shape).toEqual([BATCH, format.classes.length]);
    const { loss, accuracy } = await model.trainStep(xs, ys);
    expect(Number.isFinite(loss)).toBe(true);
    expect(accuracy).toBeGreaterThanOrEqual(0);

    const target = join(dir, `${name}-${format.width}x${format.height}x${format.channels}-${format.classes.length}`);
    await model.save(target);
    const loaded = await loadModel(target);
    expect(loaded.name).toBe(name);
    expect(sameFormat(loaded.format, format)).toBe(true);
    expect(loaded.parameterCount()).toBe(model.parameterCount());
    const before = model.predict(xs);
    const after = loaded.predict(xs);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([xs, ys, logits, probabilities, before, after]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('cnnBlocksFor', () => {
  const size = (width: number, height: number, channels = 1) => ({ width, height, channels });

  it('pools while the features stay above ~2,500 and another pool keeps both sides >= 4', () => {
    expect(cnnBlocksFor(size(28, 28))).toEqual([24, 48]);
    expect(cnnBlocksFor(size(14, 14))).toEqual([24]);
    expect(cnnBlocksFor(size(16, 16))).toEqual([24]);
    expect(cnnBlocksFor(size(32, 32, 3))).toEqual([24, 48, 96]);
    expect(cnnBlocksFor(size(64, 64))).toEqual([24, 48, 96, 192]);
    expect(cnnBlocksFor(size(20, 30))).toEqual([24, 48]);
    expect(cnnBlocksFor(size(30, 20))).toEqual([24, 48]);
    // channels stop doubling at 384, so big images do not grow absurd kernels
    expect(cnnBlocksFor(size(512, 512))).toEqual([24, 48, 96, 192, 384, 384, 384]);
    expect(cnnBlocksFor(size(2, 2))).toEqual([24]);
    expect(() => cnnBlocksFor(size(1, 40))).toThrow(/^cnn: 1x40 images are too small for a conv block/);
  });

  it('gives the flagship its measured architecture: 28x28 defaults have exactly the parameters they had', () => {
    const cnn = new Cnn();
    expect(cnn.options.channels).toEqual([24, 48]);
    expect(cnn.parameterCount()).toBe(615_666);
    expect(sameFormat(cnn.format, MNIST_FORMAT)).toBe(true);
    const mlp = createMlp();
    expect(mlp.parameterCount()).toBe(536_586);
    cnn.dispose();
    mlp.dispose();
  });

  it('sizes the dense layer from the real pooled shape of non-square, odd-sided images', () => {
    // 21 wide, 13 high: pools floor each side, 21 -> 10 -> 5 and 13 -> 6 -> 3, so fc1 takes 5 * 3 * 8 features
    const format = imageFormat({ width: 21, height: 13, classes: 4 });
    const cnn = new Cnn({ format, channels: [4, 8], hidden: 16, seed: 1 });
    const expected = 3 * 3 * 1 * 4 + 3 * 3 * 4 * 8 + 2 * (4 + 8) + (5 * 3 * 8 * 16 + 16) + (16 * 4 + 4);
    expect(cnn.parameterCount()).toBe(expected);
    const probabilities = tf.tidy(() => cnn.predict(tf.randomUniform([2, 13, 21, 1], 0, 1, 'float32', 1)));
    expect(probabilities.shape).toEqual([2, 4]);
    tf.dispose(probabilities);
    cnn.dispose();
  });

  it('refuses explicit channels that pool the image below 1x1, naming the size', () => {
    expect(() => new Cnn({ channels: [8, 8, 8, 8, 8] })).toThrow(UserError);
    expect(() => new Cnn({ channels: [8, 8, 8, 8, 8] })).toThrow(/^cnn: 5 blocks halve 28x28 to 0x0: at most 4 fit$/);
    expect(() => new Cnn({ channels: Array(32).fill(1) })).toThrow(/^cnn: 32 blocks halve 28x28 to 0x0: at most 4 fit$/);
    const wide = imageFormat({ width: 40, height: 6, classes: 2 });
    expect(() => new Cnn({ format: wide, channels: [4, 4, 4] })).toThrow(/^cnn: 3 blocks halve 40x6 to 5x0: at most 2 fit$/);
    const cnn = new Cnn({ format: wide, channels: [4, 4], hidden: 8 });
    expect(cnn.parameterCount()).toBeGreaterThan(0);
    cnn.dispose();
  });
});

describe('saved formats', () => {
  async function editModelJson(target: string, edit: (json: { userDefinedMetadata: Record<string, unknown> }) => void): Promise<void> {
    const path = join(target, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    edit(json);
    await writeFile(path, JSON.stringify(json));
  }

  it.each(MODEL_NAMES)('%s: model.json records the format; one saved without it (older versions) loads as MNIST', async (name) => {
    const format = imageFormat({ width: 28, height: 28, classes: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] });
    const model = createModel(name, { format, seed: 2 });
    const target = join(dir, `recorded-${name}`);
    await model.save(target);
    model.dispose();
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.format).toEqual({ width: 28, height: 28, channels: 1, classes: format.classes });

    await editModelJson(target, (saved) => delete saved.userDefinedMetadata.format);
    const tensorsBefore = tf.memory().numTensors;
    const loaded = await loadModel(target);
    expect(loaded.format).toBe(MNIST_FORMAT);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it.each(MODEL_NAMES)('%s: a malformed or mismatched recorded format is a one-line error naming the file', async (name) => {
    const target = join(dir, `malformed-${name}`);
    const model = createModel(name, { format: imageFormat({ width: 14, height: 14, classes: 3 }), seed: 3 });
    await model.save(target);
    model.dispose();
    const tensorsBefore = tf.memory().numTensors;
    await editModelJson(target, (json) => (json.userDefinedMetadata.format = { width: 14, height: 'tall', channels: 1, classes: [] }));
    await expect(loadModel(target)).rejects.toThrow(UserError);
    await expect(loadModel(target)).rejects.toThrow(/malformed-\w+\/model\.json: userDefinedMetadata\.format is malformed: height must be a number, got "tall"$/);
    await editModelJson(target, (json) => (json.userDefinedMetadata.format = { width: 14, height: 14, channels: 1, classes: [{ label: 'a', name: 'A' }, { label: 'a', name: 'B' }] }));
    await expect(loadModel(target)).rejects.toThrow(/model\.json: userDefinedMetadata\.format is malformed: class label 'a' appears twice$/);
    await editModelJson(target, (json) => (json.userDefinedMetadata.format = 'mnist'));
    await expect(loadModel(target)).rejects.toThrow(/model\.json: userDefinedMetadata\.format is malformed: expected an object, got "mnist"$/);
    // a well-formed format that does not fit the saved weights (14x14 with 3 classes)
    await editModelJson(target, (json) => (json.userDefinedMetadata.format = { width: 28, height: 28, channels: 1, classes: MNIST_FORMAT.classes }));
    await expect(loadModel(target)).rejects.toThrow(
      name === 'mlp' ? /model\.json: the model's input is \[n, 196\], but the format's 28x28 images need \[n, 784\]/ : /weights\.bin: weight fc1\.weight missing or not of shape/,
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
