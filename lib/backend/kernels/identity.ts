import * as tf from '@tensorflow/tfjs';
import { inputOf, type WasmKernelArgs } from './wasmKernel.ts';

/**
 * Identity that shares the input's data (reference-counted) instead of copying it, as the cpu
 * backend's does: tensors are immutable, and the engine clones every input it saves for the backward
 * pass, so in training the shipped copying kernel moves each layer's activations once more per step.
 *
 * @example
 * tf.registerKernel(identityConfig); // tf.clone(x) on wasm costs no copy
 */
export function identity({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const x = inputOf(inputs, 'x', tf.Identity);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
