import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

/**
 * Tile of a float32 tensor by block copies: axes are tiled from the innermost out, and after the
 * axes behind it are done, each slice of an axis is one contiguous block to repeat. The cpu kernel
 * instead maps every output element back to its input index.
 */
function tile({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.x);
  if (!x) return undefined;
  const reps = (attrs as { reps: number[] }).reps;
  const shape = inputs.x!.shape;
  if (reps.length !== shape.length) return undefined;
  let current: Float32Array = x;
  const currentShape = [...shape];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const times = reps[axis];
    if (times === 1) continue;
    const outer = tf.util.sizeFromShape(currentShape.slice(0, axis));
    const block = tf.util.sizeFromShape(currentShape.slice(axis));
    const next = backend.allocFloats(outer * block * times);
    for (let o = 0; o < outer; o++) {
      const slice = current.subarray(o * block, (o + 1) * block);
      for (let k = 0; k < times; k++) next.set(slice, (o * times + k) * block);
    }
    if (current !== x) backend.releaseFloats(current);
    current = next;
    currentShape[axis] *= times;
  }
  // All reps 1: a copy, as the cpu kernel makes.
  if (current === x) current = backend.allocFloats(x.length), current.set(x);
  return output(backend, currentShape, current);
}

/** The tile kernel of the native backend. */
export const TILE_KERNELS: tf.KernelConfig[] = [nativeKernel(tf.Tile, tile)];
