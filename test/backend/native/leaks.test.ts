import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { seededRandom } from '../../../lib/data/random.ts';
import { createModel } from '../../../lib/models/createModel.ts';
import { PIXELS } from '../../../lib/types.ts';
import { addonCalls, describeNative, nativeBackend, realAddon, useNative } from './nativeTest.ts';

const STEPS = 20;
const BATCH = 16;
const CLASSES = 10;

/** A batch of seeded random images in [0, 1) and one-hot labels, shaped for the model. */
function randomBatch(shape: 'flat' | 'image', seed: number): { xs: tf.Tensor; ys: tf.Tensor2D } {
  const random = seededRandom(seed);
  const pixels = Float32Array.from({ length: BATCH * PIXELS }, () => random());
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % CLASSES);
  return tf.tidy(() => ({
    xs: tf.tensor(pixels, shape === 'image' ? [BATCH, 28, 28, 1] : [BATCH, PIXELS]),
    ys: tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D,
  }));
}

describeNative('a short training run on the native backend leaves nothing behind', () => {
  beforeAll(async () => {
    await useNative();
  });

  it.each(['cnn', 'mlp'] as const)(`%s: ${STEPS} train steps and a predict`, async (name) => {
    await tf.setBackend('native');
    const addon = realAddon();
    const pool = nativeBackend().pool;
    const tensorsBefore = tf.memory().numTensors;
    const heldBefore = pool.stats().held;

    const model = createModel(name, { seed: 1 });
    const { xs, ys } = randomBatch(model.inputShape, 2);
    const losses: number[] = [];
    let atStep5: { tensors: number; held: number; freeBytes: number } | undefined;
    const kernels = new Set<string>();
    for (let step = 1; step <= STEPS; step++) {
      addonCalls.length = 0;
      losses.push((await model.trainStep(xs, ys)).loss);
      addonCalls.forEach((c) => kernels.add(c));
      expect(addon.stats().buffers).toBe(0);
      if (step === 5) atStep5 = { tensors: tf.memory().numTensors, ...pool.stats() };
    }
    // Steps 6 to 20 made and freed the same tensors; the pool holds no more buffers than at step 5,
    // and keeps no more idle: each step reused the buffers the one before freed.
    expect(tf.memory().numTensors).toBe(atStep5!.tensors);
    expect(pool.stats().held).toBeLessThanOrEqual(atStep5!.held);
    expect(pool.stats().freeBytes).toBeLessThanOrEqual(atStep5!.freeBytes);
    // It trained natively (the fixed batch's loss falls), down to the fused Adam update.
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[STEPS - 1]).toBeLessThan(losses[0]);
    expect([...kernels]).toEqual(expect.arrayContaining(['matMul', 'binary', 'unary', 'sum', 'adam']));
    if (name === 'cnn') expect([...kernels]).toEqual(expect.arrayContaining(['conv2d', 'conv2dBackpropFilter', 'maxPool', 'maxPoolGrad']));

    const probabilities = model.predict(xs);
    expect(probabilities.shape).toEqual([BATCH, CLASSES]);
    const rowSums = tf.tidy(() => tf.sum(probabilities, 1).dataSync());
    rowSums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    probabilities.dispose();

    const { plans, buffers } = addon.stats();
    expect(buffers).toBe(0);
    expect(plans).toBeLessThanOrEqual(64);
    if (name === 'cnn') expect(plans).toBeGreaterThan(0);

    model.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(pool.stats().held).toBe(heldBefore);
  });
});
