import * as tf from '@tensorflow/tfjs';
import { inputOf, runWasmKernel, type WasmKernelArgs } from './wasmKernel.ts';

/**
 * Sum over every axis but the last (each bias gradient: dy [batch, ..., channels] -> [channels]) as
 * one sequential pass; the shipped kernel first transposes the whole of dy to put the summed axes
 * last. Every other reduction goes to the shipped kernel.
 *
 * @example
 * tf.registerKernel(sumConfig); // tf.sum(dy, [0, 1, 2]) on [128, 26, 26, 32] in one pass
 */
export function sum({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const x = inputOf(inputs, 'x', tf.Sum);
  const { axis, keepDims = false } = attrs as { axis: number | number[]; keepDims?: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leadingAxes = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  if (!leadingAxes || x.dtype !== 'float32') return runWasmKernel(tf.Sum, backend, inputs, attrs);
  const channels = x.shape[rank - 1];
  const out = backend.makeOutput(keepDims ? [...Array(rank - 1).fill(1), channels] : [channels], 'float32');
  // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
  const values = backend.typedArrayFromHeap(x) as Float32Array;
  const totals = channels % 8 === 0 ? columnTotalsBy8(values, channels) : columnTotals(values, channels);
  (backend.typedArrayFromHeap(out) as Float32Array).set(totals);
  return out;
}

function columnTotals(values: Float32Array, channels: number): Float64Array {
  const totals = new Float64Array(channels);
  for (let at = 0; at < values.length; at += channels) {
    for (let c = 0; c < channels; c++) totals[c] += values[at + c];
  }
  return totals;
}

/** Eight columns at a time in local accumulators: twice as fast as summing through an array. */
function columnTotalsBy8(values: Float32Array, channels: number): Float64Array {
  const totals = new Float64Array(channels);
  for (let c = 0; c < channels; c += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; // prettier-ignore
    for (let at = c; at < values.length; at += channels) {
      s0 += values[at];
      s1 += values[at + 1];
      s2 += values[at + 2];
      s3 += values[at + 3];
      s4 += values[at + 4];
      s5 += values[at + 5];
      s6 += values[at + 6];
      s7 += values[at + 7];
    }
    totals.set([s0, s1, s2, s3, s4, s5, s6, s7], c);
  }
  return totals;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
