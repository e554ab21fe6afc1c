import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUSED_ADAM } from '../../../lib/backend/native/adamKernel.ts';
import { ScheduledAdam } from '../../../lib/models/optimizer.ts';
import { addonCalls, describeNative, expectSame, mismatch, nativeBackend, randomArray, realAddon, useNative, type Computed } from './nativeTest.ts';

/** Finite-difference step, and the agreement asked of the analytic gradient (float32 throughout). */
const STEP = 1e-2;
// Measured agreement is below 1e-3 (float32 loss rounding over 2·STEP); 5e-3 leaves room for other CPUs.
const FD_TOLERANCE = 5e-3;
/**
 * Pre-activations closer than this to ReLU's kink get a zero loss weight: a step of STEP moves any
 * pre-activation by at most STEP (every input, filter and bias value is below 1 in magnitude), so
 * the loss is smooth over each difference taken.
 */
const MARGIN = 5 * STEP;

/** A layer under test: its parameters' values and shapes, and its output from tensors of them. */
interface Layer {
  name: string;
  shapes: number[][];
  forward(params: tf.Tensor[], activation: Activation): tf.Tensor;
}

/** Pre-activation weights: R, zeroed where the pre-activation is near ReLU's kink. */
function lossWeights(layer: Layer, params: Float32Array[], seed: number): { weights: tf.Tensor; kept: number; clipped: number } {
  return tf.tidy(() => {
    const z = layer.forward(
      params.map((values, i) => tf.tensor(values, layer.shapes[i])),
      'linear',
    );
    const zValues = z.dataSync();
    const r = randomArray(z.shape, seed);
    let kept = 0;
    let clipped = 0;
    zValues.forEach((v, i) => {
      if (Math.abs(v) < MARGIN) r[i] = 0;
      else if (v < 0) clipped++;
      else kept++;
    });
    return { weights: tf.keep(tf.tensor(r, z.shape)), kept, clipped };
  });
}

type Activation = 'linear' | 'relu';

/** sum(layer(params) · weights), the scalar whose gradient is checked. */
function loss(layer: Layer, params: tf.Tensor[], weights: tf.Tensor, activation: Activation): tf.Scalar {
  return tf.sum(tf.mul(layer.forward(params, activation), weights));
}

/** Central differences of the loss over every parameter value, computed on the current backend. */
function finiteDifferences(layer: Layer, params: Float32Array[], weights: tf.Tensor, activation: Activation): Float32Array[] {
  const at = (values: Float32Array[]): number =>
    tf.tidy(() => loss(layer, values.map((v, i) => tf.tensor(v, layer.shapes[i])), weights, activation).dataSync()[0]);
  return params.map((values) => {
    const gradient = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const original = values[i];
      values[i] = original + STEP;
      const plus = at(params);
      values[i] = original - STEP;
      const minus = at(params);
      values[i] = original;
      gradient[i] = (plus - minus) / (2 * STEP);
    }
    return gradient;
  });
}

/** tf.grads of the loss on the current backend. */
function analytic(layer: Layer, params: Float32Array[], weights: tf.Tensor, activation: Activation): Float32Array[] {
  return tf.tidy(() => {
    const grads = tf.grads((...inputs: tf.Tensor[]) => loss(layer, inputs, weights, activation))(params.map((v, i) => tf.tensor(v, layer.shapes[i])));
    return grads.map((g, i) => {
      expect(g.shape).toEqual(layer.shapes[i]);
      return g.dataSync().slice() as Float32Array;
    });
  });
}

const layers: Layer[] = [
  {
    name: 'tf.fused.conv2d 3x3 same, bias, relu',
    shapes: [
      [2, 6, 5, 3],
      [3, 3, 3, 4],
      [4],
    ],
    forward: ([x, filter, bias], activation) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: 1, pad: 'same', bias, activation }),
  },
  {
    name: 'tf.fused.conv2d 5x2 valid stride [2,1], bias, relu',
    shapes: [
      [1, 9, 6, 2],
      [5, 2, 2, 5],
      [5],
    ],
    forward: ([x, filter, bias], activation) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: [2, 1], pad: 'valid', bias, activation }),
  },
  {
    name: 'tf.fused.matMul [6,5]·[5,7] + bias, relu',
    shapes: [[6, 5], [5, 7], [7]],
    forward: ([a, b, bias], activation) => tf.fused.matMul({ a, b, bias, activation }),
  },
  {
    name: 'tf.fused.matMul [3,6,5]·[3,7,5]ᵀ + bias, relu',
    shapes: [[3, 6, 5], [3, 7, 5], [7]],
    forward: ([a, b, bias], activation) => tf.fused.matMul({ a, b, transposeB: true, bias, activation }),
  },
];

describeNative('gradients of the fused layers on the native backend', () => {
  beforeAll(async () => {
    await useNative();
  });

  describe.each(layers)('$name', (layer) => {
    const params = layer.shapes.map((shape, i) => randomArray(shape, 40 + i));
    const product = layer.shapes[0].length === 4 ? 'conv2d' : 'matMul';
    const productGrad = layer.shapes[0].length === 4 ? 'conv2dBackpropFilter' : 'matMul';

    // Under a gradient tape tfjs fuses only a linear activation (its custom gradient); with relu it
    // records conv / matMul, add and relu instead. The differences always run the fused kernel.
    it.each(['relu', 'linear'] as const)('%s: tf.grads agrees with central differences of the loss, on native', async (activation) => {
      await tf.setBackend('native');
      const before = tf.memory().numTensors;
      const { weights, kept, clipped } = lossWeights(layer, params, 50);
      // The check means something only if most outputs count and ReLU cuts some of them.
      expect(kept).toBeGreaterThan(weights.size / 4);
      expect(clipped).toBeGreaterThan(weights.size / 4);
      addonCalls.length = 0;
      const grads = analytic(layer, params, weights, activation);
      expect(addonCalls).toContain(productGrad);
      if (activation === 'linear') expect(addonCalls).toContain('biasActivation');
      else expect(addonCalls).toEqual(expect.arrayContaining([product, 'binary', 'unary']));
      addonCalls.length = 0;
      const numeric = finiteDifferences(layer, params, weights, activation);
      expect(addonCalls.filter((c) => c === 'biasActivation').length).toBe(2 * params.reduce((n, p) => n + p.length, 0));
      grads.forEach((g, i) => {
        expect(g.some((v) => v !== 0)).toBe(true);
        expect(mismatch(g, numeric[i], FD_TOLERANCE), `gradient of parameter ${i}`).toBeUndefined();
      });
      weights.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(realAddon().stats().buffers).toBe(0);
    });

    it.each(['relu', 'linear'] as const)("%s: tf.grads gives the cpu backend's gradients", async (activation) => {
      const onBackend = async (name: 'cpu' | 'native'): Promise<Computed[]> => {
        await tf.setBackend(name);
        const { weights } = lossWeights(layer, params, 50);
        const grads = analytic(layer, params, weights, activation).map((values, i) => ({ values, shape: layer.shapes[i], dtype: 'float32' as const }));
        weights.dispose();
        return grads;
      };
      const cpu = await onBackend('cpu');
      const native = await onBackend('native');
      native.forEach((g, i) => expectSame(g, cpu[i], 1e-4));
    });
  });
});

describeNative('ScheduledAdam: the fused native update against tfjs\'s on cpu', () => {
  beforeAll(async () => {
    await useNative();
  });

  const shapes = [[7, 5], [24], [200, 200]];
  const initial = shapes.map((shape, i) => randomArray(shape, 60 + i));
  const steps = 6;
  const rates = [0.01, 0.01, 0.005, 0.02, 0.001, 0.01];
  /** Per step and variable; every third value 0 (the moments' epsilon path), some large. */
  const gradients = rates.map((_, step) =>
    shapes.map((shape, i) => randomArray(shape, 100 + 10 * step + i).map((v, j) => (j % 3 === 0 ? 0 : j % 7 === 0 ? v * 50 : v))),
  );

  interface AdamRun {
    values: Float32Array[];
    weights: Array<{ name: string; values: tf.TypedArray }>;
    fusedCalls: number;
  }

  async function train(backendName: 'cpu' | 'native'): Promise<AdamRun> {
    await tf.setBackend(backendName);
    const before = tf.memory().numTensors;
    const variables = shapes.map((shape, i) => tf.tidy(() => tf.variable(tf.tensor(initial[i], shape), true, `adam_${backendName}_${i}`)));
    const optimizer = new ScheduledAdam(rates[0]);
    addonCalls.length = 0;
    for (let step = 0; step < steps; step++) {
      optimizer.rate = rates[step];
      const grads = variables.map((v, i) => ({ name: v.name, tensor: tf.tensor(gradients[step][i], shapes[i]) }));
      optimizer.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    }
    const fusedCalls = addonCalls.filter((c) => c === 'adam').length;
    const values = variables.map((v) => v.dataSync().slice() as Float32Array);
    const named = await optimizer.getWeights();
    const weights = named.map(({ name, tensor }) => ({ name, values: tensor.dataSync().slice() }));
    tf.dispose(named[0].tensor); // the iteration count is a new scalar; the moments are the optimizer's own
    optimizer.dispose();
    tf.dispose(variables);
    expect(tf.memory().numTensors).toBe(before);
    return { values, weights, fusedCalls };
  }

  it('gives the same variables, moments and iterations after several steps with a changing rate', async () => {
    expect(tf.getKernel(FUSED_ADAM, 'native')).toBeDefined();
    expect(tf.getKernel(FUSED_ADAM, 'cpu')).toBeUndefined();
    const cpu = await train('cpu');
    const native = await train('native');
    expect(cpu.fusedCalls).toBe(0);
    expect(native.fusedCalls).toBe(steps * shapes.length);
    native.values.forEach((values, i) => {
      expect(mismatch(values, cpu.values[i], 0), `variable ${i}`).toBeUndefined();
      // The variables moved, by about the learning rates' sum at most.
      expect(mismatch(values, initial[i], 1e-3)).toBeDefined();
    });
    expect(native.weights.map((w) => w.name.replace('native', 'cpu'))).toEqual(cpu.weights.map((w) => w.name));
    expect(native.weights[0]).toEqual({ name: 'iter', values: Int32Array.of(steps) });
    expect(native.weights.length).toBe(1 + 2 * shapes.length);
    native.weights.forEach((w, i) => {
      expect(mismatch(w.values, cpu.weights[i].values, 0), w.name).toBeUndefined();
    });
  });
});

describeNative('the fused Adam update in place', () => {
  beforeAll(async () => {
    await useNative();
  });

  const shape = [33, 17];
  const initial = randomArray(shape, 70);
  const grads = [0, 1, 2, 3].map((step) => randomArray(shape, 80 + step));

  /** The storage array of a tensor's data on the native backend. */
  const storage = (t: tf.Tensor): unknown => nativeBackend().data.get(t.dataId).values;

  /**
   * Adam on one variable made from `values`, a step per seeded gradient; `between` runs before each
   * step and leaves `held` tensors of its own behind.
   */
  async function train(
    backendName: 'cpu' | 'native',
    values: Float32Array,
    between: (variable: tf.Variable, step: number) => void = () => {},
    held = 0,
  ): Promise<Float32Array> {
    await tf.setBackend(backendName);
    const before = tf.memory().numTensors;
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `inplace_${backendName}_${seed++}`));
    const optimizer = tf.train.adam(0.01);
    grads.forEach((g, step) => {
      between(variable, step);
      const tensor = tf.tensor(g, shape);
      optimizer.applyGradients([{ name: variable.name, tensor }]);
      tensor.dispose();
    });
    const result = variable.dataSync().slice() as Float32Array;
    optimizer.dispose();
    variable.dispose();
    expect(tf.memory().numTensors).toBe(before + held);
    return result;
  }
  let seed = 0;

  it('writes the variable and its moments into their own buffers from the second step on, with the same bits as cpu', async () => {
    const expected = await train('cpu', initial.slice());
    const buffers: unknown[][] = [];
    const actual = await train('native', initial.slice(), (variable, step) => {
      if (step > 0) buffers.push([storage(variable)]);
    });
    expect(mismatch(actual, expected, 0)).toBeUndefined();
    // Steps 1, 2 and 3 found the same array: step 1 made it, steps 2 and 3 updated it in place.
    expect(buffers[1][0]).toBe(buffers[0][0]);
    expect(buffers[2][0]).toBe(buffers[0][0]);
  });

  it("never changes the caller's array, a clone, or an array a read handed out", async () => {
    const expected = await train('cpu', initial.slice());
    const callers = initial.slice();
    const kept: Array<{ snapshot: Float32Array; clone?: tf.Tensor; read?: Float32Array }> = [];
    const actual = await train(
      'native',
      callers,
      (variable, step) => {
        // A copy made by a kernel: reading the variable itself would hand its storage out.
        const snapshot = tf.tidy(() => tf.mul(variable, 1).dataSync().slice() as Float32Array);
        // Before step 2 a read (the array it hands out is the storage itself), before step 3 a clone.
        if (step === 2) kept.push({ snapshot, read: variable.dataSync() as Float32Array });
        if (step === 3) kept.push({ snapshot, clone: tf.clone(variable) });
      },
      1,
    );
    expect(mismatch(actual, expected, 0)).toBeUndefined();
    expect(callers).toEqual(initial);
    expect(kept[0].read).toEqual(kept[0].snapshot);
    expect(kept[1].clone!.dataSync()).toEqual(kept[1].snapshot);
    kept[1].clone!.dispose();
  });
});
