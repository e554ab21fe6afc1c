import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';

/** A whole-pixel translation: `dx` to the right, `dy` down (negative: left, up). */
export interface ImageShift {
  dx: number;
  dy: number;
}

/**
 * The shifts test-time augmentation averages over by default: the image itself and one pixel in each
 * of the four directions (five predictions per image).
 */
export const TTA_SHIFTS: readonly ImageShift[] = Object.freeze([
  { dx: 0, dy: 0 },
  { dx: 1, dy: 0 },
  { dx: -1, dy: 0 },
  { dx: 0, dy: 1 },
  { dx: 0, dy: -1 },
]);

/**
 * Images [n, height, width, channels] moved by whole pixels, the uncovered border filled with 0 (the
 * background of images scaled to 0-1). Pure: the input is left as it is.
 *
 * @example
 * const right = shiftImages(xs, { dx: 1, dy: 0 }); // column 0 becomes 0, column w-1 falls off
 */
export function shiftImages(xs: tf.Tensor4D, shift: ImageShift): tf.Tensor4D {
  const { dx, dy } = shift;
  const [n, height, width, channels] = xs.shape;
  if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new UserError(`shiftImages: shifts are whole pixels, got dx ${dx}, dy ${dy}`);
  if (Math.abs(dx) >= width || Math.abs(dy) >= height) {
    throw new UserError(`shiftImages: a shift of dx ${dx}, dy ${dy} moves a ${width}x${height} image out of sight`);
  }
  if (dx === 0 && dy === 0) return tf.clone(xs);
  return tf.tidy(() => {
    const padded = tf.pad(xs, [[0, 0], [Math.max(dy, 0), Math.max(-dy, 0)], [Math.max(dx, 0), Math.max(-dx, 0)], [0, 0]]);
    return tf.slice(padded, [0, Math.max(-dy, 0), Math.max(-dx, 0), 0], [n, height, width, channels]);
  });
}
