import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batchMatMul.ts';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter.ts';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput.ts';
import { fusedMatMulConfig } from './fusedMatMul.ts';
import { identityConfig } from './identity.ts';
import { maxPoolGradConfig } from './maxPoolGrad.ts';
import { sumConfig } from './sum.ts';
import { tileConfig } from './tile.ts';
import { rememberShippedKernel, shippedKernel } from './wasmKernel.ts';

/** The wasm training kernels this library provides, in the order they are registered. */
export const TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  maxPoolGradConfig,
  sumConfig,
  identityConfig,
  tileConfig,
];

/**
 * Replaces the wasm backend's training kernels with the XNNPACK-backed ones (idempotent) and returns
 * their names. The shipped versions stay reachable for the cases ours delegate back to them.
 *
 * @example
 * await tf.setBackend('wasm');
 * registerTrainingKernels(); // ['BatchMatMul', 'Conv2DBackpropInput', ...]
 */
export function registerTrainingKernels(): string[] {
  for (const config of TRAINING_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberShippedKernel(config.kernelName);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  return TRAINING_KERNELS.map((config) => config.kernelName);
}

/** Puts the shipped wasm kernels back (and drops Conv2DBackpropFilter, which wasm lacks). */
export function unregisterTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc !== config.kernelFunc) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    const shipped = shippedKernel(config.kernelName);
    if (shipped) tf.registerKernel(shipped);
  }
}
