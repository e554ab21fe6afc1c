import * as tf from '@tensorflow/tfjs';
import { BINARY_OPS, UNARY_OPS } from './addon.ts';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

/** Whether `small` (leading 1s dropped) is the trailing part of `shape`: it repeats along the leading axes. */
function isTrailing(small: number[], shape: number[]): boolean {
  const trimmed = small.slice(small.findIndex((d) => d !== 1) === -1 ? small.length : small.findIndex((d) => d !== 1));
  if (trimmed.length > shape.length) return false;
  const offset = shape.length - trimmed.length;
  return trimmed.every((d, i) => d === shape[offset + i]);
}

/**
 * Whether `small` (aligned to the right of `shape`, leading 1s added) is a leading part of `shape`
 * followed by 1s: each of its values repeats over a run of consecutive elements ([n, 1] against [n, k]).
 */
function isLeading(small: number[], shape: number[]): boolean {
  if (small.length > shape.length) return false;
  const padded = [...new Array<number>(shape.length - small.length).fill(1), ...small];
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 1) end--;
  return padded.every((d, i) => (i < end ? d === shape[i] : d === 1));
}

/**
 * A float32 binary op where one operand is the whole output and the other is the same shape, a scalar,
 * repeats along the leading axes (a bias per channel, say) or holds one value per row ([n, 1] against
 * [n, k]: softmax and cross-entropy's per-example sums): the broadcasts a training step makes. Other
 * broadcasts ([r, 1] against [1, c], say) and other dtypes take the cpu kernel.
 */
function binary(kernelName: keyof typeof BINARY_OPS) {
  return ({ inputs, backend }: NativeKernelArgs): tf.TensorInfo | undefined => {
    const a = floatsOf(backend, inputs.a);
    const b = floatsOf(backend, inputs.b);
    if (!a || !b) return undefined;
    const aShape = inputs.a!.shape;
    const bShape = inputs.b!.shape;
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape);
    const size = tf.util.sizeFromShape(shape);
    let broadcastA: boolean;
    let perRow = false;
    if (a.length === size && isTrailing(bShape, shape)) broadcastA = false;
    else if (b.length === size && isTrailing(aShape, shape)) broadcastA = true;
    else if (a.length === size && isLeading(bShape, shape)) (broadcastA = false), (perRow = true);
    else if (b.length === size && isLeading(aShape, shape)) (broadcastA = true), (perRow = true);
    else return undefined;
    const out = backend.allocFloats(size);
    if (size > 0) backend.addon.binary(BINARY_OPS[kernelName], a, b, out, size, broadcastA ? a.length : b.length, broadcastA, perRow);
    return output(backend, shape, out);
  };
}

/** A float32 unary op, one pass over both cores. */
function unary(kernelName: keyof typeof UNARY_OPS) {
  return ({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined => {
    const x = floatsOf(backend, inputs.x);
    if (!x) return undefined;
    const out = backend.allocFloats(x.length);
    const alpha = kernelName === 'Step' ? ((attrs as { alpha?: number }).alpha ?? 0) : 0;
    backend.addon.unary(UNARY_OPS[kernelName], x, out, x.length, alpha);
    return output(backend, inputs.x!.shape, out);
  };
}

/**
 * Softmax over the last axis (the only one tfjs's cpu kernel takes) in one pass per row: the cpu
 * kernel calls its own max, sub, exp, sum and div, whose [n, 1] broadcasts cost ~0.5 ms for [128, 10].
 */
function softmax({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.logits);
  const shape = inputs.logits!.shape;
  const dim = (attrs as { dim?: number }).dim ?? -1;
  if (!x || x.length === 0 || shape.length === 0 || (dim !== -1 && dim !== shape.length - 1)) return undefined;
  const out = backend.allocFloats(x.length);
  backend.addon.softmax(x, out, x.length / shape.at(-1)!, shape.at(-1)!);
  return output(backend, shape, out);
}

/** The element-wise kernels of the native backend (and softmax, element-wise within a row). */
export const ELEMENTWISE_KERNELS: tf.KernelConfig[] = [
  ...(Object.keys(BINARY_OPS) as Array<keyof typeof BINARY_OPS>).map((name) => nativeKernel(tf[name], binary(name))),
  ...(Object.keys(UNARY_OPS) as Array<keyof typeof UNARY_OPS>).map((name) => nativeKernel(tf[name], unary(name))),
  nativeKernel(tf.Softmax, softmax),
];
