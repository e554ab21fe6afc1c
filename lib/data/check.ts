import { UserError } from '../errors.ts';
import { CLASSES, PIXELS } from '../types.ts';

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
}
