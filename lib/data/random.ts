/** The seed notebook's seed: the default of every seeded stage (split, shuffle, augment). */
export const DEFAULT_SEED = 20742;

/** A seeded pseudo-random generator returning floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: small, fast and good enough for shuffles and jitter; the same seed always gives the
 * same sequence on every platform, which is what reproducible splits and epochs need.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number } | unknown[]>(
  array: T,
  random: Random,
): T {
  const a = array as unknown as unknown[];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
  return array;
}

/** The indices 0..n-1 in a seeded random order. */
export function permutation(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, random);
}

/**
 * A seed for an independent stream derived from a base seed and a stream number (murmur3's finaliser
 * over both). Using the user's seed directly for two purposes (say epoch order and augmentation)
 * would tie the two sequences together; deriving keeps one user-facing seed and unrelated streams.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform draw in [-limit, limit). */
export function symmetric(random: Random, limit: number): number {
  return (2 * random() - 1) * limit;
}
