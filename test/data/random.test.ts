import { describe, expect, it } from 'vitest';
import { deriveSeed, permutation, seededRandom, symmetric } from '../../lib/data/random.ts';

describe('random', () => {
  it('repeats a sequence for a seed and differs for another', () => {
    const draw = (seed: number): number[] => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('derives distinct, reproducible seeds per stream', () => {
    expect(deriveSeed(7, 1)).toBe(deriveSeed(7, 1));
    const seeds = new Set([deriveSeed(7, 0), deriveSeed(7, 1), deriveSeed(7, 2), deriveSeed(8, 1), 7]);
    expect(seeds.size).toBe(5);
  });

  it('permutes 0..n-1', () => {
    const order = permutation(100, seededRandom(1));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('draws symmetric values within the limit on both sides', () => {
    const random = seededRandom(9);
    const values = Array.from({ length: 200 }, () => symmetric(random, 3));
    expect(Math.max(...values)).toBeLessThan(3);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-3);
    expect(Math.min(...values)).toBeLessThan(-2);
    expect(Math.max(...values)).toBeGreaterThan(2);
  });
});
