import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../lib/backend/selectBackend.ts';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backpropFilterByPatches } from '../../../lib/backend/kernels/conv2dBackpropFilter.ts';
import { chooseOrientation } from '../../../lib/backend/kernels/matMulPlan.ts';
import { blockRows, transposeMatrix } from '../../../lib/backend/kernels/transposeMatrix.ts';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../../lib/backend/kernels/register.ts';
import { randomValues, relativeError, runOn, type KernelCall } from './compare.ts';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  const info = await selectBackend({ backend: 'wasm' });
  expect(info.trainingKernels).toContain(tf.Conv2DBackpropFilter);
}, 60_000);

/** Checks one kernel call on wasm (our kernels) against cpu, and that wasm keeps no data behind. */
async function expectMatchesCpu(call: KernelCall): Promise<void> {
  const expected = await runOn('cpu', call);
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const actual = await runOn('wasm', call);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.backend().numDataIds()).toBe(dataBefore);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
}

let seed = 1;
function input(shape: number[]): { values: Float32Array; shape: number[] } {
  return { values: randomValues(shape.reduce((a, b) => a * b, 1), seed++), shape };
}

describe('BatchMatMul with transposes', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['dense dx = dy·Wᵀ', [32, 40], [72, 40], false, true],
    ['dense dW = xᵀ·dy', [32, 72], [32, 40], true, false],
    ['both transposed', [17, 9], [23, 17], true, true],
    ['batched, rank 3', [3, 11, 7], [3, 5, 11], true, true],
    ['broadcast batch', [1, 6, 4], [4, 5, 6], true, true],
    ['no transpose, wide output (swapped)', [8, 600], [600, 800], false, false],
    ['no transpose, tall output (direct)', [40, 12], [12, 5], false, false],
    ['rank 3 with batch 1', [1, 9, 14], [1, 30, 14], false, true],
    ['batched, no transpose (shipped path)', [2, 6, 4], [2, 4, 3], false, false],
    ["a first conv layer's dW (swapped, dy transposed in blocks)", [4096, 9], [4096, 64], true, false],
  ];
  it.each(cases)('%s', async (_name, aShape, bShape, transposeA, transposeB) => {
    await expectMatchesCpu({
      kernelName: tf.BatchMatMul,
      inputs: { a: input(aShape), b: input(bShape) },
      attrs: { transposeA, transposeB },
    });
  });
});

describe('the product orientation', () => {
  it('packs the smaller operand when that saves more than the extra calls cost', () => {
    expect(chooseOrientation(128, 784, 512, false, false)).toBe('direct'); // x·W1: 3 extra calls outweigh packing
    expect(chooseOrientation(128, 256, 512, false, true)).toBe('swapped'); // dy·Wᵀ
    expect(chooseOrientation(784, 128, 512, true, false)).toBe('direct'); // xᵀ·dy
    expect(chooseOrientation(128, 512, 256, false, false)).toBe('direct'); // h1·W2: only 2x less to pack
    expect(chooseOrientation(9, 86528, 32, true, false)).toBe('swapped'); // conv1 dW: pack patches, not dy
    expect(chooseOrientation(40, 12, 5, false, false)).toBe('direct');
    expect(chooseOrientation(9, 4096, 64, true, false)).toBe('swapped');
    expect(blockRows(4096, 64)).toBeDefined();
  });
});

describe('_FusedMatMul (dense forward)', () => {
  const cases: [string, number[], number[], boolean, boolean, string][] = [
    ['x·W + b, relu (swapped)', [1, 8, 600], [1, 600, 800], false, false, 'relu'],
    ['x·W + b, linear (direct)', [1, 48, 30], [1, 30, 6], false, false, 'linear'],
    ['transposed a and b, sigmoid', [1, 30, 16], [1, 48, 30], true, true, 'sigmoid'],
    ['transposed b, elu (swapped)', [1, 8, 200], [1, 400, 200], false, true, 'elu'],
    ['batched, leakyrelu', [3, 5, 7], [3, 7, 4], false, false, 'leakyrelu'],
  ];
  it.each(cases)('%s', async (_name, aShape, bShape, transposeA, transposeB, activation) => {
    const n = transposeB ? bShape[1] : bShape[2];
    await expectMatchesCpu({
      kernelName: tf._FusedMatMul,
      inputs: { a: input(aShape), b: input(bShape), bias: input([n]) },
      attrs: { transposeA, transposeB, activation, leakyreluAlpha: 0.1 },
    });
  });

  it('prelu with its weights', async () => {
    await expectMatchesCpu({
      kernelName: tf._FusedMatMul,
      inputs: { a: input([1, 6, 10]), b: input([1, 10, 24]), bias: input([24]), preluActivationWeights: input([24]) },
      attrs: { transposeA: false, transposeB: false, activation: 'prelu' },
    });
  });
});

/** Conv shapes as tf.layers.conv2d makes them: kernel sizes, strides, paddings, batch sizes. */
const convCases: [string, number[], number[], number, 'same' | 'valid'][] = [
  ['3x3 same stride 1', [2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'],
  ['3x3 valid stride 1', [3, 10, 8, 2], [3, 3, 2, 5], 1, 'valid'],
  ['3x3 same stride 2, odd size', [2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
  ['3x3 valid stride 2, even size', [1, 10, 10, 2], [3, 3, 2, 3], 2, 'valid'],
  ['5x5 same stride 1', [2, 12, 12, 1], [5, 5, 1, 6], 1, 'same'],
  ['2x2 same stride 2, even size', [2, 8, 8, 4], [2, 2, 4, 3], 2, 'same'],
  ['1x1 valid stride 1', [4, 5, 5, 6], [1, 1, 6, 7], 1, 'valid'],
  ['digit CNN layer 1, batch 8', [8, 28, 28, 1], [3, 3, 1, 32], 1, 'valid'],
  ['the job CNN layer 1 (same padding), batch 8', [8, 28, 28, 1], [3, 3, 1, 24], 1, 'same'],
  ['3x3 same stride 2, 8 channels', [2, 9, 9, 8], [3, 3, 8, 4], 2, 'same'],
  ['3x3 valid stride 2, 6 channels, even size', [3, 10, 10, 6], [3, 3, 6, 5], 2, 'valid'],
  ['digit CNN layer 2, batch 4', [4, 13, 13, 32], [3, 3, 32, 64], 1, 'valid'],
];

/** The shape of a convolution's output (and so of its dy). */
function convOutShape(xShape: number[], filterShape: number[], stride: number, pad: 'same' | 'valid'): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    stride,
    1,
    pad,
  );
  return info.outShape;
}

describe('Conv2DBackpropInput', () => {
  it.each(convCases)('%s', async (_name, xShape, filterShape, stride, pad) => {
    const outShape = convOutShape(xShape, filterShape, stride, pad);
    await expectMatchesCpu({
      kernelName: tf.Conv2DBackpropInput,
      inputs: { dy: input(outShape), filter: input(filterShape) },
      attrs: { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape },
    });
  });
});

describe('Conv2DBackpropFilter', () => {
  it.each(convCases)('%s', async (_name, xShape, filterShape, stride, pad) => {
    const outShape = convOutShape(xShape, filterShape, stride, pad);
    await expectMatchesCpu({
      kernelName: tf.Conv2DBackpropFilter,
      inputs: { x: input(xShape), dy: input(outShape) },
      attrs: { strides: stride, pad, dataFormat: 'NHWC', filterShape },
    });
  });
});

describe('Conv2DBackpropFilter in chunks of images', () => {
  // Batches whose patches pass the kernel's memory cap are done a chunk of images at a time and the
  // chunks' products summed; a small cap makes these small batches take that path.
  const cases: [string, number[], number[], number, 'same' | 'valid', number][] = [
    ['3 chunks of 2 images, the last short (5 images)', [5, 9, 9, 3], [3, 3, 3, 4], 1, 'same', 2],
    ['one image per chunk, stride 2', [3, 10, 10, 2], [3, 3, 2, 5], 2, 'valid', 1],
    ['a cap below one image still takes a whole image', [2, 8, 8, 1], [5, 5, 1, 6], 1, 'same', 0],
  ];
  it.each(cases)('%s', async (_name, xShape, filterShape, stride, pad, imagesPerChunk) => {
    const outShape = convOutShape(xShape, filterShape, stride, pad);
    const x = input(xShape);
    const dy = input(outShape);
    const attrs = { strides: stride, pad, dataFormat: 'NHWC', filterShape };
    const expected = await runOn('cpu', { kernelName: tf.Conv2DBackpropFilter, inputs: { x, dy }, attrs });
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const xs = tf.tensor(x.values, x.shape);
    const dys = tf.tensor(dy.values, dy.shape);
    const dataBefore = backend.numDataIds();
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], stride, 1, pad);
    const taps = filterShape[0] * filterShape[1] * filterShape[2];
    const dw = backpropFilterByPatches(backend, xs, dys, info, imagesPerChunk * taps * info.outHeight * info.outWidth);
    const actual = backend.typedArrayFromHeap(dw) as Float32Array;
    expect(dw.shape).toEqual(expected.shape);
    expect(relativeError(actual, expected.values)).toBeLessThanOrEqual(TOLERANCE);
    backend.disposeData(dw.dataId);
    // The patches, the channel-major copy, dy's slices and the partial sums are all freed.
    expect(backend.numDataIds()).toBe(dataBefore);
    tf.dispose([xs, dys]);
  });
});

describe('MaxPoolGrad', () => {
  const cases: [string, number[], number, number, 'same' | 'valid'][] = [
    ['2x2 stride 2 valid (layers default)', [4, 26, 26, 8], 2, 2, 'valid'],
    ['2x2 stride 2 valid, odd size', [2, 11, 11, 3], 2, 2, 'valid'],
    ['2x2 stride 2 same, odd size (edge windows cut short)', [2, 11, 11, 3], 2, 2, 'same'],
    ['3x3 stride 2 same (overlapping)', [2, 9, 9, 5], 3, 2, 'same'],
    ['3x3 stride 1 same', [1, 7, 6, 2], 3, 1, 'same'],
    ['2x2 stride 1 valid', [3, 5, 5, 4], 2, 1, 'valid'],
  ];
  it.each(cases)('%s', async (_name, xShape, size, stride, pad) => {
    await expectPoolGradMatchesCpu(input(xShape), size, stride, pad);
  });

  it('sends each window\'s gradient to its first maximum when values tie', async () => {
    const x = input([2, 8, 8, 3]);
    x.values = x.values.map((v) => Math.round(v)); // -1, 0, 1: most windows tie
    await expectPoolGradMatchesCpu(x, 2, 2, 'valid');
    await expectPoolGradMatchesCpu(x, 3, 1, 'same');
  });

  async function expectPoolGradMatchesCpu(
    x: { values: Float32Array; shape: number[] },
    size: number,
    stride: number,
    pad: 'same' | 'valid',
  ): Promise<void> {
    const output = await runOn('cpu', {
      kernelName: tf.MaxPool,
      inputs: { x },
      attrs: { filterSize: size, strides: stride, pad },
    });
    await expectMatchesCpu({
      kernelName: tf.MaxPoolGrad,
      inputs: { dy: input(output.shape), input: x, output },
      attrs: { filterSize: size, strides: stride, pad },
    });
  }
});

describe('transposeMatrix', () => {
  const cases: [string, number, number, boolean][] = [
    ["a first conv layer's dy on a batch of 128 (blocked)", 100_352, 32, true],
    ['a tall matrix with 24 columns (blocked)', 16_384, 24, true],
    ['a prime number of rows (one pass)', 4099, 64, false],
    ['a small matrix (one pass)', 128, 784, false],
  ];
  it.each(cases)('%s', async (_name, rows, columns, blocked) => {
    await tf.setBackend('wasm');
    expect(blockRows(rows, columns) !== undefined).toBe(blocked);
    const values = randomValues(rows * columns, seed++);
    const x = tf.tensor2d(values, [rows, columns]);
    const backend = tf.backend() as BackendWasm;
    const dataBefore = backend.numDataIds();
    const out = transposeMatrix(backend, { dataId: x.dataId, shape: x.shape, dtype: 'float32' });
    expect(out.shape).toEqual([columns, rows]);
    const actual = backend.readSync(out.dataId) as Float32Array;
    backend.disposeData(out.dataId);
    x.dispose();
    expect(backend.numDataIds()).toBe(dataBefore - 1);
    let mismatches = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) if (actual[c * rows + r] !== values[r * columns + c]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('Sum', () => {
  const cases: [string, number[], number[], boolean][] = [
    ['bias gradient of a conv layer', [8, 13, 13, 32], [0, 1, 2], false],
    ['bias gradient of a dense layer', [64, 40], [0], false],
    ['bias gradient of the 10-class output layer', [64, 10], [0], false],
    ['keepDims', [4, 5, 6], [0, 1], true],
    ['axes in another order', [4, 5, 6], [1, 0], false],
    ['last axis (shipped path)', [6, 7], [1], false],
    ['middle axis (shipped path)', [3, 4, 5], [1], false],
  ];
  it.each(cases)('%s', async (_name, shape, axis, keepDims) => {
    await expectMatchesCpu({ kernelName: tf.Sum, inputs: { x: input(shape) }, attrs: { axis, keepDims } });
  });
});

describe('Tile', () => {
  const cases: [string, number[], number[]][] = [
    ["a batch-norm gradient's row vector over the batch", [1, 512], [128, 1]],
    ['every axis repeated', [2, 3, 4], [3, 2, 2]],
    ['innermost rows of one value', [3, 1], [2, 5]],
    ['rank 4, middle axes', [2, 1, 1, 3], [1, 4, 5, 1]],
    ['rank 1', [7], [3]],
    ['no repeats', [2, 3], [1, 1]],
    ['a zero repeat (empty output)', [2, 3], [0, 2]],
  ];
  it.each(cases)('%s', async (_name, shape, reps) => {
    await expectMatchesCpu({ kernelName: tf.Tile, inputs: { x: input(shape) }, attrs: { reps } });
  });

  it('tiles int32 and bool tensors too', async () => {
    await tf.setBackend('wasm');
    const ints = tf.tile(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), [2, 3]);
    const flags = tf.tile(tf.tensor1d([true, false], 'bool'), [3]);
    expect(ints.dtype).toBe('int32');
    expect(await ints.array()).toEqual([
      [1, 2, 1, 2, 1, 2],
      [3, 4, 3, 4, 3, 4],
      [1, 2, 1, 2, 1, 2],
      [3, 4, 3, 4, 3, 4],
    ]);
    expect(await flags.data()).toEqual(new Uint8Array([1, 0, 1, 0, 1, 0]));
    tf.dispose([ints, flags]);
  });
});

describe('Identity', () => {
  it('gives a clone that keeps its values after the original is disposed, and frees the data last', async () => {
    await tf.setBackend('wasm');
    const dataBefore = tf.backend().numDataIds();
    const original = tf.tensor([1, 2, 3, 4], [2, 2]);
    const clone = tf.clone(original);
    original.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    expect(clone.shape).toEqual([2, 2]);
    clone.dispose();
    expect(tf.backend().numDataIds()).toBe(dataBefore);
  });

  it('leaves a variable unchanged when the tensor it was cloned from changes', async () => {
    await tf.setBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const initial = tf.tensor([1, 2]);
    const v = tf.variable(initial);
    const snapshot = tf.clone(v);
    const update = tf.tensor([5, 6]);
    v.assign(update);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([initial, v, snapshot, update]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('one training step through tf.grads', () => {
  it('gives the cpu gradients for a small conv net and frees every intermediate', async () => {
    const shapes = { x: [4, 12, 12, 1], w1: [3, 3, 1, 8], w2: [3, 3, 8, 6], w3: [6 * 2 * 2, 10], y: [4, 10] };
    const values = Object.fromEntries(Object.entries(shapes).map(([k, shape]) => [k, input(shape)]));
    const gradientsOn = async (backendName: string): Promise<Float32Array[]> => {
      await tf.setBackend(backendName);
      return tf.tidy(() => {
        const t = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
        const loss = (w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor): tf.Scalar => {
          let h = tf.relu(tf.conv2d(t.x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
          h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
          h = tf.relu(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'valid'));
          h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
          const logits = tf.matMul(tf.reshape(h, [4, -1]), w3);
          return tf.losses.softmaxCrossEntropy(t.y, logits) as tf.Scalar;
        };
        const grads = tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor)([t.w1, t.w2, t.w3]);
        return grads.map((g) => g.dataSync() as Float32Array);
      });
    };
    const expected = await gradientsOn('cpu');
    await tf.setBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.backend().numDataIds();
    const actual = await gradientsOn('wasm');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.backend().numDataIds()).toBe(dataBefore);
    actual.forEach((gradient, i) => expect(relativeError(gradient, expected[i])).toBeLessThanOrEqual(TOLERANCE));
  });
});

describe('registerTrainingKernels', () => {
  it('is idempotent and reports the kernels it registered', () => {
    const first = registerTrainingKernels();
    const kernel = tf.getKernel(tf.BatchMatMul, 'wasm');
    expect(registerTrainingKernels()).toEqual(first);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(kernel);
    expect(first).toEqual([tf.BatchMatMul, tf._FusedMatMul, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter, tf.MaxPoolGrad, tf.Sum, tf.Identity, tf.Tile]);
  });

  it('unregisterTrainingKernels puts the shipped kernels back', () => {
    const ours = tf.getKernel(tf.BatchMatMul, 'wasm');
    unregisterTrainingKernels();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBeDefined();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(ours);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    registerTrainingKernels();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(ours);
  });
});

describe('test shapes reach both product orientations', () => {
  it('has swapped and direct cases among the matMul cases above', () => {
    expect(chooseOrientation(8, 600, 800, false, false)).toBe('swapped');
    expect(chooseOrientation(8, 200, 400, false, true)).toBe('swapped');
    expect(chooseOrientation(40, 12, 5, false, false)).toBe('direct');
    expect(chooseOrientation(9, 4096, 64, true, false)).toBe('swapped');
    expect(blockRows(4096, 64)).toBeDefined();
  });
});
