import * as tf from '@tensorflow/tfjs';
import { inputOf, type WasmKernelArgs } from './wasmKernel.ts';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad as one pass over the wasm heap: each window's gradient goes to the first position that
 * holds its maximum (the cpu backend's rule). The argmax is tracked with arithmetic rather than
 * branches, because on real activations the comparison is a coin flip and mispredicted branches
 * cost more than the arithmetic; the shipped kernel (and wasm's MaxPoolWithArgmax) are naive loops
 * several times slower.
 *
 * @example
 * tf.registerKernel(maxPoolGradConfig); // the gradient of tf.maxPool on wasm
 */
export function maxPoolGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const dy = inputOf(inputs, 'dy', tf.MaxPoolGrad);
  const input = inputOf(inputs, 'input', tf.MaxPoolGrad);
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
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      const yFrom = Math.max(0, y0);
      const yTo = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        const xFrom = Math.max(0, x0);
        const xTo = Math.min(inWidth, x0 + filterWidth);
        if (yFrom >= yTo || xFrom >= xTo) continue;
        const windowStart = ((b * inHeight + yFrom) * inWidth + xFrom) * channels;
        const from = ((b * outHeight + oy) * outWidth + ox) * channels;
        if (yTo - yFrom === 2 && xTo - xFrom === 2) {
          addAtMaxOf2x2(x, dx, gradient, windowStart, from, channels, rowStride);
          continue;
        }
        for (let c = 0; c < channels; c++) {
          let at = windowStart + c;
          let max = x[at];
          for (let y = 0; y < yTo - yFrom; y++) {
            for (let q = windowStart + c + y * rowStride, end = q + (xTo - xFrom) * channels; q < end; q += channels) {
              const value = x[q];
              at += isGreater(value, max) * (q - at);
              max = Math.max(max, value);
            }
          }
          dx[at] += gradient[from + c];
        }
      }
    }
  }
  return out;
}

/** 1 when a > b else 0, as a number V8 computes without a branch. */
function isGreater(a: number, b: number): number {
  return ((a > b) as unknown as number) | 0;
}

/** The 2x2 window (tf.layers' default pool) unrolled: four loads per channel, no inner loops. */
function addAtMaxOf2x2(
  x: Float32Array,
  dx: Float32Array,
  gradient: Float32Array,
  windowStart: number,
  from: number,
  channels: number,
  rowStride: number,
): void {
  const right = channels;
  const below = rowStride;
  const belowRight = rowStride + channels;
  for (let c = 0; c < channels; c++) {
    const q = windowStart + c;
    let max = x[q];
    let offset = 0;
    const v1 = x[q + right];
    offset += isGreater(v1, max) * (right - offset);
    max = Math.max(max, v1);
    const v2 = x[q + below];
    offset += isGreater(v2, max) * (below - offset);
    max = Math.max(max, v2);
    offset += isGreater(x[q + belowRight], max) * (belowRight - offset);
    dx[q + offset] += gradient[from + c];
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
