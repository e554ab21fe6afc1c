import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addonCalls, describeNative, expectSame, mismatch, randomArray, realAddon, useNative, type Computed } from './nativeTest.ts';

/** Rounding apart: the fused kernels sum and scale in another order than tfjs's moments and batchNorm. */
const TOLERANCE = 1e-5;
/** Central differences in float32 against the analytic gradient (as in gradients.test.ts). */
const STEP = 1e-2;
const FD_TOLERANCE = 5e-3;

/** One training pass of a tf.layers.batchNormalization layer and what it changed. */
interface LayerRun {
  /** y, then the gradients of sum(y · upstream) with respect to x, gamma and beta. */
  outputs: Computed[];
  /** The moving mean and variance after the pass. */
  moving: Computed[];
  calls: string[];
}

/** Frees a layer's variables (a layer applied to concrete tensors only cannot be disposed itself). */
function disposeLayer(layer: tf.layers.Layer): void {
  tf.dispose(layer.weights.map((w) => w.read()));
}

function computed(t: tf.Tensor): Computed {
  return { values: t.dataSync().slice(), shape: t.shape, dtype: t.dtype };
}

/** A layer for `shape` whose gamma, beta and moving statistics are seeded values. */
function makeLayer(shape: number[], axis: number): tf.layers.Layer {
  const layer = tf.layers.batchNormalization({ axis, momentum: 0.75, epsilon: 1e-3 });
  layer.build(shape);
  const channels = shape.at(axis)!;
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((seed) => randomArray([channels], seed));
  tf.tidy(() => layer.setWeights([gamma.map((v) => 1 + v / 2), beta, mean, variance.map((v) => 1.5 + v)].map((v) => tf.tensor1d(v))));
  return layer;
}

async function trainingPass(backendName: 'cpu' | 'native', shape: number[], axis = -1): Promise<LayerRun> {
  await tf.setBackend(backendName);
  const before = tf.memory().numTensors;
  const layer = makeLayer(shape, axis);
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tidy(() => tf.variable(tf.tensor(randomArray(shape, 5).map((v) => 3 * v + 1), shape)));
  const upstream = tf.tensor(randomArray(shape, 6), shape);
  addonCalls.length = 0;
  let y: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, upstream));
  }, [x, gamma, beta]);
  const calls = [...addonCalls];
  const outputs = [y!, grads[x.name], grads[gamma.name], grads[beta.name]].map(computed);
  const moving = layer.nonTrainableWeights.map((w) => computed(w.read()));
  tf.dispose([value, y!, x, upstream, ...Object.values(grads)]);
  disposeLayer(layer);
  expect(tf.memory().numTensors).toBe(before);
  if (backendName === 'native') expect(realAddon().stats().buffers).toBe(0);
  return { outputs, moving, calls };
}

describeNative('tf.layers.batchNormalization on the native backend', () => {
  beforeAll(async () => {
    await useNative();
  });

  describe('training over the last axis takes the fused kernels and gives the cpu backend\'s results', () => {
    const cases: Array<[string, number[]]> = [
      ['a dense activation [128, 37]', [128, 37]],
      ['batch 1', [1, 5]],
      ['rank 3, odd sizes', [5, 3, 7]],
      ['an image batch [3, 4, 5, 9]', [3, 4, 5, 9]],
    ];
    it.each(cases)('%s', async (_name, shape) => {
      const cpu = await trainingPass('cpu', shape);
      const native = await trainingPass('native', shape);
      expect(native.calls).toEqual(expect.arrayContaining(['batchNormTrain', 'batchNormTrainGrad']));
      native.outputs.forEach((output, i) => expectSame(output, cpu.outputs[i], TOLERANCE));
      native.moving.forEach((output, i) => expectSame(output, cpu.moving[i], TOLERANCE));
    });
  });

  it('another axis takes tfjs-layers\' own path, with the same output and moving statistics', async () => {
    // Forward only: tfjs-layers' own gradient fails for a non-last axis (a wrong reshape), on every backend.
    const shape = [6, 4, 5];
    const pass = async (backendName: 'cpu' | 'native'): Promise<LayerRun> => {
      await tf.setBackend(backendName);
      const layer = makeLayer(shape, 1);
      const x = tf.tensor(randomArray(shape, 10), shape);
      addonCalls.length = 0;
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const run = { outputs: [computed(y)], moving: layer.nonTrainableWeights.map((w) => computed(w.read())), calls: [...addonCalls] };
      tf.dispose([x, y]);
      disposeLayer(layer);
      return run;
    };
    const cpu = await pass('cpu');
    const native = await pass('native');
    expect(native.calls).not.toContain('batchNormTrain');
    expectSame(native.outputs[0], cpu.outputs[0], TOLERANCE);
    native.moving.forEach((output, i) => expectSame(output, cpu.moving[i], TOLERANCE));
  });

  it('inference uses the moving statistics and changes nothing', async () => {
    const shape = [9, 6];
    const infer = async (backendName: 'cpu' | 'native'): Promise<{ y: Computed; moving: Computed[]; calls: string[] }> => {
      await tf.setBackend(backendName);
      const layer = makeLayer(shape, -1);
      const x = tf.tensor(randomArray(shape, 7), shape);
      addonCalls.length = 0;
      const y = layer.apply(x, { training: false }) as tf.Tensor;
      const result = { y: computed(y), moving: layer.nonTrainableWeights.map((w) => computed(w.read())), calls: [...addonCalls] };
      tf.dispose([x, y]);
      disposeLayer(layer);
      return result;
    };
    const cpu = await infer('cpu');
    const native = await infer('native');
    expect(native.calls).toEqual(['batchNorm']);
    expectSame(native.y, cpu.y, TOLERANCE);
    native.moving.forEach((output, i) => expect(output.values).toEqual(cpu.moving[i].values));
  });

  it('the gradients agree with central differences of the loss', async () => {
    await tf.setBackend('native');
    const shape = [6, 4];
    const layer = makeLayer(shape, -1);
    const [gammaVariable, betaVariable] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const params = [randomArray(shape, 8), gammaVariable.dataSync().slice() as Float32Array, betaVariable.dataSync().slice() as Float32Array];
    const weights = tf.tensor(randomArray(shape, 9), shape);
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
      gammaVariable.assign(gamma);
      betaVariable.assign(beta);
      return tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, weights));
    };
    const at = (values: Float32Array[]): number =>
      tf.tidy(() => loss(tf.tensor(values[0], shape), tf.tensor1d(values[1]), tf.tensor1d(values[2])).dataSync()[0]);
    const numeric = params.map((values) =>
      Float32Array.from(values, (original, i) => {
        values[i] = original + STEP;
        const plus = at(params);
        values[i] = original - STEP;
        const minus = at(params);
        values[i] = original;
        return (plus - minus) / (2 * STEP);
      }),
    );
    addonCalls.length = 0;
    const analytic = tf.tidy(() => {
      gammaVariable.assign(tf.tensor1d(params[1]));
      betaVariable.assign(tf.tensor1d(params[2]));
      const x = tf.variable(tf.tensor(params[0], shape));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, weights)), [x, gammaVariable, betaVariable]);
      const result = [grads[x.name], grads[gammaVariable.name], grads[betaVariable.name]].map((g) => g.dataSync().slice() as Float32Array);
      tf.dispose([x, value]);
      return result;
    });
    expect(addonCalls).toContain('batchNormTrainGrad');
    analytic.forEach((gradient, i) => {
      expect(gradient.some((v) => v !== 0)).toBe(true);
      expect(mismatch(gradient, numeric[i], FD_TOLERANCE), `gradient ${i}`).toBeUndefined();
    });
    weights.dispose();
    disposeLayer(layer);
  });
});

describe('tf.layers.batchNormalization off the native backend', () => {
  it('trains through tfjs-layers\' own kernels on cpu', async () => {
    await tf.setBackend('cpu');
    const layer = makeLayer([4, 3], -1);
    const y = layer.apply(tf.ones([4, 3]), { training: true }) as tf.Tensor;
    expect(y.shape).toEqual([4, 3]);
    tf.dispose(y);
    disposeLayer(layer);
  });
});
