import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../lib/data/random.ts';

/** Random normal-ish values in [-1, 1), reproducible per seed. */
export function randomValues(size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

export interface KernelCall {
  kernelName: string;
  inputs: Record<string, { values: Float32Array; shape: number[] }>;
  attrs: tf.NamedAttrMap;
}

/** Runs one kernel on a backend and returns its output values; every tensor it made is freed. */
export async function runOn(backendName: string, call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backendName);
  const inputs: tf.NamedTensorMap = {};
  for (const [name, { values, shape }] of Object.entries(call.inputs)) inputs[name] = tf.tensor(values, shape);
  const output = tf.engine().runKernel(call.kernelName, inputs, call.attrs) as tf.Tensor;
  const result = { values: output.dataSync() as Float32Array, shape: output.shape };
  output.dispose();
  Object.values(inputs).forEach((t) => t.dispose());
  return result;
}

/** max |a - b| / max |b|: a norm-wise relative error that stays meaningful where b is near zero. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
