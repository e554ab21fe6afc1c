import { defer, map, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import { checkSeed } from '../data/check.ts';
import { DEFAULT_SEED, seededRandom, type Random } from '../data/random.ts';

/** Options of {@link splitTrainValid}. */
export interface SplitOptions {
  /** Share of records that go to validation, in (0, 1) (default 0.2: the seed notebook's 80/20). */
  validFraction?: number;
  /** Seed of the split (default 20742, the seed notebook's). */
  seed?: number;
  /** Keep each label's validation share within one record of validFraction (default true). */
  stratify?: boolean;
}

/** The part of a train / validation split a record belongs to. */
export type SplitPart = 'train' | 'valid';

/** A record tagged with the part of the split it belongs to. */
export interface SplitRecord<T> {
  part: SplitPart;
  record: T;
}

/**
 * Splits a stream of records into train and validation parts as they pass, tagging each record with
 * its part: deterministic for a seed and a source order, and needing no look-ahead. With `stratify`,
 * each label is tracked separately: after n records of a label, its validation count v always
 * satisfies |v − validFraction·n| < 1, so every label's share is within one record of the target;
 * within that band the choice is random. Unlabelled records form a group of their own.
 *
 * @example
 * records$.pipe(splitTrainValid({ validFraction: 0.2, seed: 20742 }), toDataset())
 * // -> { train: DigitDataset, valid: DigitDataset }
 */
export function splitTrainValid<T extends { label?: number }>(
  options: SplitOptions = {},
): OperatorFunction<T, SplitRecord<T>> {
  const { validFraction = 0.2, seed = DEFAULT_SEED, stratify = true } = options;
  if (typeof validFraction !== 'number' || !(validFraction > 0 && validFraction < 1)) {
    throw new UserError(`splitTrainValid: validFraction must be a number in (0, 1), got ${String(validFraction)}`);
  }
  checkSeed('splitTrainValid', seed);
  return (source) =>
    defer(() => {
      const splitter = new BandSplitter(validFraction, seededRandom(seed));
      return source.pipe(
        map((record): SplitRecord<T> => ({
          part: splitter.next(stratify ? record.label : undefined) ? 'valid' : 'train',
          record,
        })),
      );
    });
}

/**
 * Per group, a running count kept inside the band |valid − fraction·seen| < 1 (Bresenham-like),
 * with a seeded coin, weighted by the fraction, deciding whenever both parts keep it inside.
 */
class BandSplitter {
  private readonly groups = new Map<number | undefined, { seen: number; valid: number }>();

  constructor(
    private readonly fraction: number,
    private readonly random: Random,
  ) {}

  /** Whether the next record of `group` goes to validation. */
  next(group: number | undefined): boolean {
    let counts = this.groups.get(group);
    if (!counts) this.groups.set(group, (counts = { seen: 0, valid: 0 }));
    counts.seen++;
    const target = this.fraction * counts.seen;
    // One draw per record, used or not, so each decision depends only on the records before it.
    const coin = this.random() < this.fraction;
    const trainKeepsBand = counts.valid - target > -1;
    const validKeepsBand = counts.valid + 1 - target < 1;
    const toValid = trainKeepsBand && validKeepsBand ? coin : validKeepsBand;
    if (toValid) counts.valid++;
    return toValid;
  }
}
