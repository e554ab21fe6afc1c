import * as tf from '@tensorflow/tfjs';
import type { Batch, ImageRecord, InputShape, NormalizedImage } from '../types.ts';
import { classCount, pixelCount, type ImageFormat, type ImageSize } from './format.ts';

/** A record with raw grey levels (0–255) or normalized ones (0–1). */
export type AnyImage = ImageRecord | NormalizedImage;
/** An {@link AnyImage} of the Digit Recognizer; the same type under its flagship's name. */
export type AnyDigit = AnyImage;

/** Writes one image's pixels into `target` at `offset` as floats in 0–1 (bytes are divided by 255). */
export function writeUnitPixels(target: Float32Array, offset: number, pixels: Uint8Array | Float32Array): void {
  if (pixels instanceof Float32Array) {
    target.set(pixels, offset);
    return;
  }
  for (let p = 0; p < pixels.length; p++) target[offset + p] = pixels[p] / 255;
}

/** The xs shape for `n` images of `size`: [n, pixels] ('flat') or [n, height, width, channels] ('image'). */
export function inputShape(n: number, shape: InputShape, size: ImageSize): number[] {
  return shape === 'image' ? [n, size.height, size.width, size.channels] : [n, pixelCount(size)];
}

/**
 * Turns `n` images already in 0–1 (`xs`, n x pixels), their class indices (or none) and ids into a
 * batch of tensors with one-hot `ys` over the format's classes. The single place where batches
 * become tensors.
 */
export function tensorBatch(
  xs: Float32Array,
  labels: ArrayLike<number> | undefined,
  ids: Int32Array,
  shape: InputShape,
  format: ImageFormat,
): Batch {
  const n = ids.length;
  const classes = classCount(format);
  let ys: tf.Tensor2D | undefined;
  if (labels) {
    const oneHot = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) oneHot[i * classes + labels[i]] = 1;
    ys = tf.tensor2d(oneHot, [n, classes], 'float32');
  }
  return { xs: tf.tensor(xs, inputShape(n, shape, format), 'float32'), ys, ids };
}
