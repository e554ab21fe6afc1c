import { UserError } from '../errors.ts';
import type { Batch } from '../types.ts';
import { classCount, describeSize, MAX_CLASSES, MNIST_FORMAT, pixelCount, type ImageFormat, type ImageSize } from './format.ts';

/*
 * Checks shared by the operators and the dataset, so that bad input fails early with a one-line
 * message naming the stage and the parameter instead of a shape error from deep inside tfjs.
 */

/** `value` must be an integer >= `min`. */
export function checkInteger(stage: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new UserError(`${stage}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** `value` must be a finite number in [min, max] (or [min, max) when `maxExclusive`). */
export function checkRange(
  stage: string,
  name: string,
  value: number,
  min: number,
  max: number,
  maxExclusive = false,
): number {
  const aboveMax = maxExclusive ? value >= max : value > max;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || aboveMax) {
    throw new UserError(
      `${stage}: ${name} must be a number in [${min}, ${max}${maxExclusive ? ')' : ']'}, got ${String(value)}`,
    );
  }
  return value;
}

/** A seed must be an integer, so that it means the same sequence everywhere. */
export function checkSeed(stage: string, seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new UserError(`${stage}: seed must be an integer, got ${String(seed)}`);
  return seed;
}

/**
 * The pixels and label of one record: as many pixels as the format's images have (any count when no
 * format is given), a label that is absent or a class index of the format.
 */
export function checkRecord(stage: string, record: { id: number; label?: number; pixels: ArrayLike<number> }, format?: ImageFormat): void {
  if (format && record.pixels.length !== pixelCount(format)) {
    throw new UserError(
      `${stage}: record ${record.id}: pixels has ${record.pixels.length} values, expected ${pixelCount(format)} (${describeSize(format)})${
        format === MNIST_FORMAT ? '; pass the data set\'s format' : ''
      }`,
    );
  }
  const { label } = record;
  const classes = format ? classCount(format) : MAX_CLASSES;
  if (label !== undefined && !(Number.isInteger(label) && label >= 0 && label < classes)) {
    throw new UserError(`${stage}: record ${record.id}: label must be a class index 0–${classes - 1}, got ${label}`);
  }
  if (!(record.pixels instanceof Uint8Array)) {
    // normalized pixels: NaN or a raw grey level here would train on garbage without a word
    const { pixels } = record;
    for (let p = 0; p < pixels.length; p++) {
      const v = pixels[p];
      if (!(v >= 0 && v <= 1)) throw new UserError(`${stage}: record ${record.id}: pixel ${p} is ${v}, expected a value in 0–1`);
    }
  }
}

/** A row index of a dataset of `size` rows: an integer in [0, size). */
export function checkRow(stage: string, row: number, size: number): number {
  if (!Number.isInteger(row) || row < 0 || row >= size) {
    throw new UserError(`${stage}: row ${String(row)} is outside 0–${size - 1} (the dataset has ${size} rows)`);
  }
  return row;
}

/**
 * A batch's xs must be [n, pixels] or [n, height, width, channels] of `size` with one id per row, and
 * ys (when present) [n, classes].
 */
export function checkBatchShape(stage: string, batch: Batch, size: ImageSize, classes?: number): void {
  const shape = batch.xs.shape;
  const n = shape[0];
  const flat = shape.length === 2 && shape[1] === pixelCount(size);
  const image = shape.length === 4 && shape[1] === size.height && shape[2] === size.width && shape[3] === size.channels;
  if (!flat && !image) {
    throw new UserError(
      `${stage}: batch xs has shape [${shape.join(', ')}], expected [n, ${pixelCount(size)}] or [n, ${size.height}, ${size.width}, ${size.channels}]`,
    );
  }
  if (batch.ids.length !== n) throw new UserError(`${stage}: batch has ${n} rows of xs but ${batch.ids.length} ids`);
  if (batch.ys && (batch.ys.shape[0] !== n || (classes !== undefined && batch.ys.shape[1] !== classes))) {
    throw new UserError(`${stage}: batch ys has shape [${batch.ys.shape.join(', ')}], expected [${n}, ${classes ?? 'classes'}]`);
  }
}
