import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

interface SumAttrs {
  axis: number | number[];
  keepDims?: boolean;
}

/**
 * Sum (or mean) of a float32 tensor over its leading axes (a bias or batch-norm gradient) or its
 * trailing axes, without the transpose the cpu kernel makes first; other axis sets take the cpu kernel.
 */
function reduce(mean: boolean) {
  return (args: NativeKernelArgs): tf.TensorInfo | undefined => {
    const out = sum(args);
    if (out === undefined || !mean) return out;
    const values = args.backend.data.get(out.dataId).values as Float32Array;
    const count = tf.util.sizeFromShape(args.inputs.x!.shape) / Math.max(values.length, 1);
    for (let i = 0; i < values.length; i++) values[i] /= count;
    return out;
  };
}

function sum({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.x);
  if (!x || x.length === 0) return undefined;
  const shape = inputs.x!.shape;
  const { axis, keepDims = false } = attrs as unknown as SumAttrs;
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((p, q) => p - q);
  if (axes.length === 0) return undefined;
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === shape.length - axes.length + i);
  if (!leading && !trailing) return undefined;
  const reduced = leading ? shape.slice(0, axes.length) : shape.slice(shape.length - axes.length);
  const rows = leading ? tf.util.sizeFromShape(reduced) : tf.util.sizeFromShape(shape.slice(0, shape.length - axes.length));
  const cols = leading ? tf.util.sizeFromShape(shape.slice(axes.length)) : tf.util.sizeFromShape(reduced);
  const out = backend.allocFloats(leading ? cols : rows);
  if (x.length > 0) backend.addon.sum(x, out, rows, cols, leading);
  const outShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  return output(backend, outShape, out);
}

/** The reduction kernels of the native backend. */
export const SUM_KERNELS: tf.KernelConfig[] = [nativeKernel(tf.Sum, reduce(false)), nativeKernel(tf.Mean, reduce(true))];
