import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** What a wasm kernel receives: tensor infos (not engine tensors) and the backend that owns them. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}

export type WasmKernelFunc = (args: WasmKernelArgs) => tf.TensorInfo;

/** The kernels as the wasm package shipped them, captured before ours replace some of them. */
const shipped = new Map<string, tf.KernelConfig>();

/** Remembers the package's own implementation of `kernelName` (once) so replacements can fall back. */
export function rememberShippedKernel(kernelName: string): void {
  if (shipped.has(kernelName)) return;
  const config = tf.getKernel(kernelName, 'wasm');
  if (config) shipped.set(kernelName, config);
}

/** The package's own kernel for `kernelName`, if it shipped one and we replaced it. */
export function shippedKernel(kernelName: string): tf.KernelConfig | undefined {
  return shipped.get(kernelName);
}

/**
 * Runs a wasm kernel directly on tensor infos: no engine tensors, no tape, no bookkeeping. Kernels we
 * replaced run in their shipped form, so a replacement can delegate the cases it does not improve.
 */
export function runWasmKernel(
  kernelName: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = shipped.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
  const kernelFunc = config?.kernelFunc as unknown as WasmKernelFunc | undefined;
  if (!kernelFunc) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return kernelFunc({ inputs, backend, attrs });
}

/** Frees intermediate results made inside a kernel. */
export function disposeInfos(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A permutation of `rank` axes that swaps the last two (matrix transpose of each batch item). */
export function swapLastTwoAxes(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** The named input of a kernel call; a missing one is a caller bug, named in the error. */
export function inputOf(inputs: tf.NamedTensorInfoMap, name: string, kernelName: string): tf.TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`${kernelName}: input '${name}' is missing`);
  return info;
}
