import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';

/** What a native kernel receives: tensor infos and the backend that owns their typed arrays. */
export interface NativeKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: NativeKernelBackend;
  attrs: tf.NamedAttrMap;
}

/** The native backend as its kernels see it: the cpu backend's storage plus the addon. */
export interface NativeKernelBackend extends MathBackendCPU {
  readonly addon: NativeAddon;
  /** A float32 array for a kernel's output (reused memory: every element must be written). */
  allocFloats(length: number): Float32Array;
  /** Gives back an array from {@link allocFloats} that no tensor took (a scratch or abandoned output). */
  releaseFloats(values: Float32Array): void;
  /**
   * The float32 values of `info` when a kernel may overwrite them and return `info`'s data as its
   * output (TensorFlow's buffer forwarding): one tensor holds them and no read handed them out.
   */
  writableInPlace(info: tf.TensorInfo): Float32Array | undefined;
  /** Runs the cpu backend's own kernel: for the cases a native kernel does not take. */
  cpuKernel(kernelName: string, args: NativeKernelArgs): tf.TensorInfo | tf.TensorInfo[];
}

export type NativeKernelFunc = (args: NativeKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The float32 values of a tensor, or undefined when it holds another dtype (the kernel falls back). */
export function floatsOf(backend: NativeKernelBackend, info: tf.TensorInfo | undefined): Float32Array | undefined {
  if (info === undefined || info.dtype !== 'float32') return undefined;
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** The float32 values of a fused kernel's input `name`; any other dtype is a caller bug, named in the error. */
export function requireFloats(args: NativeKernelArgs, name: string, kernelName: string): Float32Array {
  const values = floatsOf(args.backend, args.inputs[name]);
  if (!values) throw new Error(`${kernelName}: input '${name}' must be a float32 tensor`);
  return values;
}

/** A new float32 tensor holding `values`. */
export function output(backend: NativeKernelBackend, shape: number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** `input` again, as a kernel output that shares its data (the data's reference count goes up by one). */
export function forwarded(backend: NativeKernelBackend, input: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(input.dataId);
  return { dataId: input.dataId, shape: input.shape, dtype: input.dtype };
}

/** A kernel config that runs `native` and, whenever that returns undefined, the cpu backend's kernel. */
export function nativeKernel(
  kernelName: string,
  native: (args: NativeKernelArgs) => tf.TensorInfo | undefined,
): tf.KernelConfig {
  const kernelFunc: NativeKernelFunc = (args) => native(args) ?? args.backend.cpuKernel(kernelName, args);
  return { kernelName, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
