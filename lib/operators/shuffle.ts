import { concat, defer, mergeMap, type OperatorFunction } from 'rxjs';
import { checkInteger, checkSeed } from '../data/check.ts';
import { DEFAULT_SEED, seededRandom, shuffleInPlace } from '../data/random.ts';

/** Options of {@link shuffle}. */
export interface ShuffleOptions {
  /** Seed of the order (default 20742). */
  seed?: number;
  /** Values held back to choose from (default 1024); a stream no longer than this is fully shuffled. */
  windowSize?: number;
}

/**
 * Shuffles a stream that is not materialised, with a window: the first `windowSize` values are
 * held, then each new value replaces a randomly chosen held one, which is emitted; at the end the
 * rest come out in random order. Memory is bounded by the window; values move at most about a
 * window's length. The same seed and source order give the same output order. Meant for records:
 * values held in the window are dropped on unsubscribe, so do not shuffle batches of tensors. For
 * a `DigitDataset`, use `batches({ shuffle: true })` instead: it shuffles the whole epoch.
 *
 * @example
 * readDigits('data/train.csv').pipe(shuffle({ seed: 7, windowSize: 4096 }), batch(64))
 */
export function shuffle<T>(options: ShuffleOptions = {}): OperatorFunction<T, T> {
  const seed = checkSeed('shuffle', options.seed ?? DEFAULT_SEED);
  const windowSize = checkInteger('shuffle', 'windowSize', options.windowSize ?? 1024, 1);
  return (source) =>
    defer(() => {
      const random = seededRandom(seed);
      const window: T[] = [];
      const admit = (value: T): T[] => {
        if (window.length < windowSize) {
          window.push(value);
          return [];
        }
        const slot = Math.floor(random() * windowSize);
        const out = window[slot];
        window[slot] = value;
        return [out];
      };
      return concat(
        source.pipe(mergeMap(admit)),
        defer(() => shuffleInPlace(window.splice(0), random)),
      );
    });
}
