import * as tf from '@tensorflow/tfjs';
import { CLASSES, PIXELS, SIDE, type Batch, type DigitRecord, type InputShape, type NormalizedDigit } from '../types.ts';

/** A record with raw grey levels (0–255) or normalized ones (0–1). */
export type AnyDigit = DigitRecord | NormalizedDigit;

/** Writes one image's pixels into `target` at `offset` as floats in 0–1 (bytes are divided by 255). */
export function writeUnitPixels(target: Float32Array, offset: number, pixels: Uint8Array | Float32Array): void {
  if (pixels instanceof Float32Array) {
    target.set(pixels, offset);
    return;
  }
  for (let p = 0; p < PIXELS; p++) target[offset + p] = pixels[p] / 255;
}

/** The xs shape for `n` images. */
export function inputShape(n: number, shape: InputShape): number[] {
  return shape === 'image' ? [n, SIDE, SIDE, 1] : [n, PIXELS];
}

/**
 * Turns `n` images already in 0–1 (`xs`, n x 784), their labels (or none) and ids into a batch of
 * tensors with one-hot `ys`. The single place where batches become tensors.
 */
export function tensorBatch(
  xs: Float32Array,
  labels: ArrayLike<number> | undefined,
  ids: Int32Array,
  shape: InputShape,
): Batch {
  const n = ids.length;
  let ys: tf.Tensor2D | undefined;
  if (labels) {
    const oneHot = new Float32Array(n * CLASSES);
    for (let i = 0; i < n; i++) oneHot[i * CLASSES + labels[i]] = 1;
    ys = tf.tensor2d(oneHot, [n, CLASSES], 'float32');
  }
  return { xs: tf.tensor(xs, inputShape(n, shape), 'float32'), ys, ids };
}
