import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm, normalizeBatch } from '../../lib/models/nn.ts';
import { useTestBackend } from './fixtures.ts';

const EPSILON = 1e-5;

beforeAll(useTestBackend);

/** The textbook forward pass, left to autodiff: the reference the closed-form gradient must match. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPSILON))), gamma), beta);
}

function maxRelativeDifference(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / tf.max(tf.abs(expected)).dataSync()[0]);
}

describe('normalizeBatch', () => {
  it.each([
    ['a conv activation [batch, height, width, channels]', [16, 6, 6, 8], false],
    ['a dense activation [batch, units]', [32, 12], false],
    ['a conv activation, ReLU fused', [16, 6, 6, 8], true],
    ['a dense activation, ReLU fused', [32, 12], true],
  ])('matches autodiff of the textbook forward pass on %s, value and every gradient', async (_name, shape, relu) => {
    const textbook = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => (relu ? tf.relu(reference(x, g, b)) : reference(x, g, b));
    const selected = tf.getBackend();
    for (const backend of [selected, 'cpu']) {
      await tf.setBackend(backend);
      const channels = shape[shape.length - 1];
      const x = tf.randomNormal(shape, 1.5, 2, 'float32', 1);
      const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', 2);
      const beta = tf.randomNormal([channels], 0, 1, 'float32', 3);
      const upstream = tf.randomNormal(shape, 0, 1, 'float32', 4);
      const loss =
        (normalize: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
        (...inputs: tf.Tensor[]): tf.Scalar =>
          tf.sum(tf.mul(normalize(inputs[0], inputs[1], inputs[2]), upstream));
      const expected = tf.grads(loss(textbook))([x, gamma, beta]);
      const tensorsBefore = tf.memory().numTensors;
      const actual = tf.grads(
        loss((a, g, b) => {
          const { y, mean, variance } = normalizeBatch(a, g, b, EPSILON, { relu });
          tf.dispose([mean, variance]);
          return y;
        }),
      )([x, gamma, beta]);
      expect(tf.memory().numTensors).toBe(tensorsBefore + 3);
      actual.forEach((gradient, i) => expect(maxRelativeDifference(gradient, expected[i]), `${backend} gradient ${i}`).toBeLessThan(1e-4));

      const { y, mean, variance } = normalizeBatch(x, gamma, beta, EPSILON, { relu });
      const plain = textbook(x, gamma, beta);
      expect(maxRelativeDifference(y, plain)).toBeLessThan(1e-5);
      const moments = tf.moments(x, shape.map((_, i) => i).slice(0, -1));
      expect(maxRelativeDifference(mean, moments.mean)).toBeLessThan(1e-5);
      expect(maxRelativeDifference(variance, moments.variance)).toBeLessThan(1e-5);
      tf.dispose([x, gamma, beta, upstream, ...expected, ...actual, y, mean, variance, plain, moments.mean, moments.variance]);
    }
    await tf.setBackend(selected);
  });
});

describe('BatchNorm', () => {
  it('moves its running statistics towards the batch statistics while training, and leaks nothing', () => {
    const norm = new BatchNorm(4, 0.5);
    const x = tf.add(tf.mul(tf.randomNormal([64, 4], 0, 1, 'float32', 5), 3), 10);
    const tensorsBefore = tf.memory().numTensors;
    tf.dispose(norm.forward(x, true));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // momentum 0.5 from (mean 0, variance 1): halfway to the batch's (about 10 and 9).
    for (const mean of norm.runningMean.dataSync()) expect(mean).toBeGreaterThan(4);
    for (const variance of norm.runningVar.dataSync()) expect(variance).toBeGreaterThan(3);
    tf.dispose([x, ...norm.named().map(([, v]) => v)]);
  });
});
