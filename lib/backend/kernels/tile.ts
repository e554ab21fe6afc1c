import * as tf from '@tensorflow/tfjs';
import { inputOf, runWasmKernel, type WasmKernelArgs } from './wasmKernel.ts';

/**
 * Tile as block copies on the wasm heap: each innermost row is copied `reps` times, then every outer
 * axis repeats the blocks already written with `copyWithin`. The shipped kernel computes a source
 * index per output element, which made the two Tiles in the gradient of tf.layers' batch
 * normalisation a fifth of a Keras-style MLP's training step (7.8 ms of 37 on a batch of 128).
 *
 * @example
 * tf.registerKernel(tileConfig); // tf.tile(rowVector, [128, 1]) is 128 row copies
 */
export function tile({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const x = inputOf(inputs, 'x', tf.Tile);
  const { reps } = attrs as unknown as { reps: number[] };
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) {
    return runWasmKernel(tf.Tile, backend, inputs, attrs);
  }
  const out = backend.makeOutput(x.shape.map((size, axis) => size * reps[axis]), x.dtype);
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
  tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
  return out;
}

type HeapArray = ReturnType<WasmKernelArgs['backend']['typedArrayFromHeap']>;

/** Writes `source` (of `shape`) repeated `reps` times along each axis into `target`. */
function tileInto(source: HeapArray, shape: number[], reps: number[], target: HeapArray): void {
  const rank = shape.length;
  // Strides of every axis but the innermost, which `fill` copies as whole rows.
  const sourceStrides = tf.util.computeStrides(shape);
  const targetStrides = tf.util.computeStrides(shape.map((size, axis) => size * reps[axis]));
  const fill = (axis: number, from: number, to: number): void => {
    const size = shape[axis];
    if (axis === rank - 1) {
      if (size === 1) target.fill(source[from], to, to + reps[axis]);
      else for (let r = 0; r < reps[axis]; r++) target.set(source.subarray(from, from + size), to + r * size);
      return;
    }
    for (let i = 0; i < size; i++) fill(axis + 1, from + i * sourceStrides[axis], to + i * targetStrides[axis]);
    const block = size * targetStrides[axis];
    for (let r = 1; r < reps[axis]; r++) target.copyWithin(to + r * block, to, to + block);
  };
  fill(0, 0, 0);
}

export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as tf.KernelFunc,
};
