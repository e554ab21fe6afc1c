import { UserError } from '../errors.ts';
import { CLASSES, PIXELS, SIDE, type Batch } from '../types.ts';

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

/** The pixels and label of one record: 784 pixels, a label that is absent or an integer 0–9. */
export function checkRecord(stage: string, record: { id: number; label?: number; pixels: ArrayLike<number> }): void {
  if (record.pixels.length !== PIXELS) {
    throw new UserError(
      `${stage}: record ${record.id}: pixels has ${record.pixels.length} values, expected ${PIXELS}`,
    );
  }
  const { label } = record;
  if (label !== undefined && !(Number.isInteger(label) && label >= 0 && label < CLASSES)) {
    throw new UserError(`${stage}: record ${record.id}: label must be an integer 0–${CLASSES - 1}, got ${label}`);
  }
  if (!(record.pixels instanceof Uint8Array)) {
    // normalized pixels: NaN or a raw grey level here would train on garbage without a word
    const { pixels } = record;
    for (let p = 0; p < PIXELS; p++) {
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

/** A batch's xs must be [n, 784] or [n, 28, 28, 1] with one id per row, and ys (when present) [n, 10]. */
export function checkBatchShape(stage: string, batch: Batch): void {
  const shape = batch.xs.shape;
  const n = shape[0];
  const flat = shape.length === 2 && shape[1] === PIXELS;
  const image = shape.length === 4 && shape[1] === SIDE && shape[2] === SIDE && shape[3] === 1;
  if (!flat && !image) {
    throw new UserError(`${stage}: batch xs has shape [${shape.join(', ')}], expected [n, ${PIXELS}] or [n, ${SIDE}, ${SIDE}, 1]`);
  }
  if (batch.ids.length !== n) throw new UserError(`${stage}: batch has ${n} rows of xs but ${batch.ids.length} ids`);
  if (batch.ys && (batch.ys.shape[0] !== n || batch.ys.shape[1] !== CLASSES)) {
    throw new UserError(`${stage}: batch ys has shape [${batch.ys.shape.join(', ')}], expected [${n}, ${CLASSES}]`);
  }
}
