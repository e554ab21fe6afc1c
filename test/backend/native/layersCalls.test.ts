import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseTrainOp } from '../../../lib/backend/native/denseKernel.ts';
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

describeNative('tf.layers.dense (no activation or ReLU) under a gradient tape on the native backend', () => {
  beforeAll(async () => {
    await useNative();
  });

  type Activation = 'linear' | 'relu';

  /** A dense layer of `units` for `inputs` features, seeded weights. */
  function makeDense(inputs: number, units: number, useBias: boolean, activation: Activation = 'linear'): tf.layers.Layer {
    const layer = tf.layers.dense({ units, useBias, activation });
    layer.build([null, inputs]);
    tf.tidy(() => layer.setWeights([randomArray([inputs, units], 20), ...(useBias ? [randomArray([units], 21)] : [])].map((v, i) => tf.tensor(v, i === 0 ? [inputs, units] : [units]))));
    return layer;
  }

  /** y and the gradients of sum(y · upstream) for the weights (and x when `inputGradient`), and the products made. */
  function gradients(
    forward: (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null) => tf.Tensor,
    layer: tf.layers.Layer,
    shape: number[],
    inputGradient: boolean,
  ): { outputs: Computed[]; products: number } {
    const before = tf.memory().numTensors;
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.tidy(() => tf.variable(tf.tensor(randomArray(shape, 22), shape), inputGradient));
    const outShape = [shape[0], kernel.shape[1]!];
    const upstream = tf.tensor(randomArray(outShape, 23), outShape);
    addonCalls.length = 0;
    let y: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      y = tf.keep(forward(x, kernel, bias ?? null));
      return tf.sum(tf.mul(y, upstream));
    }, [kernel, ...(bias ? [bias] : []), ...(inputGradient ? [x] : [])]);
    const products = addonCalls.filter((c) => c === 'matMul').length;
    const outputs = [y!, ...Object.keys(grads).sort().map((name) => grads[name])].map(computed);
    tf.dispose([value, y!, x, upstream, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(realAddon().stats().buffers).toBe(0);
    return { outputs, products };
  }

  const viaLayer = (layer: tf.layers.Layer) => (x: tf.Tensor) => layer.apply(x, { training: true }) as tf.Tensor;
  /** tfjs's own dense ops: under a tape, the fused product without activation, and product, bias add and ReLU with it. */
  const tfjsDense = (activation: Activation) => (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor =>
    tf.fused.matMul({ a: x, b: kernel, bias: bias ?? undefined, activation });

  /** `compute` on the cpu backend, then on native: each run makes its own layers and tensors. */
  async function onCpuThenNative<T>(compute: () => T): Promise<{ cpu: T; native: T }> {
    await tf.setBackend('cpu');
    const cpu = compute();
    await tf.setBackend('native');
    return { cpu, native: compute() };
  }

  /**
   * The gradients of sum(layer(x)²) for `weights`, in their order (the variables' names differ
   * between runs), and the products made; leaves no tensor of its own behind.
   */
  function squareLossGradients(layer: tf.layers.Layer, x: tf.Tensor, weights: tf.Variable[]): { grads: Computed[]; products: number } {
    addonCalls.length = 0;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)), weights);
    const products = addonCalls.filter((c) => c === 'matMul').length;
    const result = weights.map((w) => computed(grads[w.name]));
    tf.dispose([value, ...Object.values(grads)]);
    return { grads: result, products };
  }

  /** Expects values not all zero: a gradient that reached its tensor. */
  function expectNonZero(values: tf.TypedArray): void {
    expect(mismatch(values, new Float32Array(values.length), 0)).toBeDefined();
  }

  it.each([
    ['no activation, bias, batch 128', [128, 37], 11, true, 'linear', 3],
    ['no activation, no bias, batch 1', [1, 9], 5, false, 'linear', 3],
    ['ReLU, bias, batch 128', [128, 37], 11, true, 'relu', 2],
    ['ReLU, no bias, odd sizes', [7, 3], 13, false, 'relu', 2],
  ] as const)("%s: the same bits as tfjs's own ops, without the input's gradient nobody asked for", async (_name, shape, units, useBias, activation, tfjsProducts) => {
    await tf.setBackend('native');
    const layer = makeDense(shape[1], units, useBias, activation);
    const fused = gradients(viaLayer(layer), layer, [...shape], false);
    const reference = gradients(tfjsDense(activation), layer, [...shape], false);
    fused.outputs.forEach((output, i) => expectSame(output, reference.outputs[i], 0));
    expect(fused.products).toBe(2); // y and the kernel's gradient
    // tfjs's fused product also computes the input's gradient, and throws it away.
    expect(reference.products).toBe(tfjsProducts);
    // Asked for, the input's gradient is there and the same, computed in the same call as the kernel's.
    const withInput = gradients(viaLayer(layer), layer, [...shape], true);
    const referenceWithInput = gradients(tfjsDense(activation), layer, [...shape], true);
    withInput.outputs.forEach((output, i) => expectSame(output, referenceWithInput.outputs[i], 0));
    expect(withInput.products).toBe(3);
    disposeLayer(layer);
  });

  it.each(['linear', 'relu'] as const)("%s: gives the cpu backend's values", async (activation) => {
    const { cpu, native } = await onCpuThenNative(() => {
      const layer = makeDense(13, 7, true, activation);
      const { outputs } = gradients(viaLayer(layer), layer, [9, 13], true);
      disposeLayer(layer);
      return outputs;
    });
    // Products summed in another order (sgemm's panels).
    native.forEach((output, i) => expectSame(output, cpu[i], 1e-5));
  });

  it("a model's first layer behind a reshape computes no input gradient; the second layer's input gets one", async () => {
    const { cpu, native } = await onCpuThenNative(() => {
      const before = tf.memory().numTensors;
      const model = tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [4, 5] }),
          tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'ones' }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const x = tf.tensor(randomArray([6, 4, 5], 30), [6, 4, 5]);
      const result = squareLossGradients(model, x, model.trainableWeights.map((w) => w.read() as tf.Variable));
      x.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return result;
    });
    native.grads.forEach((g, i) => expectSame(g, cpu.grads[i], 1e-5));
    // Two forward products, the second layer's kernel and input gradients, the first layer's kernel gradient.
    expect(native.products).toBe(5);
  });

  it("a frozen layer between trainable ones passes the gradient on without computing its own kernel's", async () => {
    const { cpu, native } = await onCpuThenNative(() => {
      const before = tf.memory().numTensors;
      const dense = (units: number, seed: number, trainable: boolean): tf.layers.Layer =>
        tf.layers.dense({ units, activation: 'relu', trainable, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: 'ones' });
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }), dense(7, 4, false), dense(3, 5, true)] });
      const x = tf.tensor(randomArray([4, 6], 33), [4, 6]);
      // What fit() and minimize() differentiate: the model's trainable weights (a frozen layer's
      // variables stay trainable in tfjs; the layer leaves them out).
      const result = squareLossGradients(model, x, model.trainableWeights.map((w) => w.read() as tf.Variable));
      x.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return result;
    });
    expect(native.grads.length).toBe(4); // the first and last layers' kernels and biases
    native.grads.forEach((g, i) => expectSame(g, cpu.grads[i], 1e-5));
    // Three forward products; the last layer's kernel and input gradients, the frozen layer's input
    // gradient (not its kernel's), the first layer's kernel gradient.
    expect(native.products).toBe(7);
  });

  it("a frozen layer's weights still get their gradients when asked for explicitly", async () => {
    const { cpu, native } = await onCpuThenNative(() => {
      const layer = tf.layers.dense({ units: 4, activation: 'relu', trainable: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }), biasInitializer: 'ones' });
      layer.build([null, 5]);
      const x = tf.tensor(randomArray([3, 5], 34), [3, 5]);
      const { grads } = squareLossGradients(layer, x, layer.weights.map((w) => w.read() as tf.Variable));
      x.dispose();
      disposeLayer(layer);
      return grads;
    });
    native.forEach((g, i) => expectSame(g, cpu[i], 1e-5));
    expectNonZero(native[0].values);
  });

  it("an input no tape saw coming from a variable still gets its gradient when asked (tf.grad of the layer's input)", async () => {
    const { cpu, native } = await onCpuThenNative(() => {
      const layer = makeDense(6, 4, true, 'relu');
      const x = tf.tensor(randomArray([5, 6], 31), [5, 6]);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.square(layer.apply(input, { training: true }) as tf.Tensor)))(x);
      const result = computed(dx);
      tf.dispose([x, dx]);
      disposeLayer(layer);
      return result;
    });
    expectSame(native, cpu, 1e-5);
    expectNonZero(native.values);
  });

  it("a gradient of a gradient goes through it, with tfjs's own differentiable ops", async () => {
    const { cpu, native } = await onCpuThenNative(() => {
      const before = tf.memory().numTensors;
      const layer = makeDense(6, 4, true, 'linear');
      const x = tf.tensor(randomArray([5, 6], 32), [5, 6]);
      // d/dx of sum((d/dx sum(dense(x)^2))^2): the inner gradient is recorded on the outer tape.
      const inner = (input: tf.Tensor): tf.Tensor => tf.grad((i: tf.Tensor) => tf.sum(tf.square(layer.apply(i, { training: true }) as tf.Tensor)))(input);
      const outer = tf.grad((input: tf.Tensor) => tf.sum(tf.square(inner(input))))(x);
      const result = computed(outer);
      tf.dispose([x, outer]);
      disposeLayer(layer);
      expect(tf.memory().numTensors).toBe(before);
      return result;
    });
    expectSame(native, cpu, 1e-4);
    expectNonZero(native.values);
  });

  it('traces its input back through a chain of ops deeper than the call stack', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const layer = makeDense(3, 2, true, 'relu');
    const [kernel] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const run = (start: tf.Tensor, variables: tf.Variable[]): number => {
      addonCalls.length = 0;
      const { value, grads } = tf.variableGrads(() => {
        let h = start;
        for (let i = 0; i < 20_000; i++) h = tf.add(h, 0);
        return tf.sum(layer.apply(h, { training: true }) as tf.Tensor);
      }, variables);
      tf.dispose([value, ...Object.values(grads)]);
      return addonCalls.filter((c) => c === 'matMul').length;
    };
    const data = tf.tensor(randomArray([2, 3], 35), [2, 3]);
    // From data: the forward product and the kernel's gradient; the input's is not needed.
    expect(run(data, [kernel])).toBe(2);
    const input = tf.tidy(() => tf.variable(tf.clone(data), true));
    // From a trainable variable 20,000 ops back: the input's gradient too, in the same call.
    expect(run(input, [kernel, input])).toBe(3);
    tf.dispose([data, input]);
    disposeLayer(layer);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses shapes that do not fit one dense layer, before any native code reads them', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const [x, kernel, bias] = [tf.zeros([3, 5]), tf.zeros([4, 2]), tf.zeros([2])] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    expect(() => denseTrainOp(x, kernel, bias, 'relu')).toThrow('DigitFlowDense: input [3,5], kernel [4,2] and bias [2] do not fit one dense layer');
    const [wide, shortBias] = [tf.zeros([5, 2]), tf.zeros([3])] as [tf.Tensor2D, tf.Tensor1D];
    expect(() => denseTrainOp(x, wide, shortBias, 'linear')).toThrow('do not fit one dense layer');
    tf.dispose([x, kernel, bias, wide, shortBias]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('outside a tape (inference) keeps the fused product', async () => {
    await tf.setBackend('native');
    const layer = makeDense(6, 4, true);
    const x = tf.tensor(randomArray([3, 6], 24), [3, 6]);
    addonCalls.length = 0;
    const y = layer.apply(x) as tf.Tensor;
    expect(addonCalls).toEqual(['matMul', 'biasActivation']);
    tf.dispose([x, y]);
    disposeLayer(layer);
  });
});
