import { describe, expect, it } from 'vitest';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { meanDigits } from '../../lib/eda/meanDigits.ts';
import { pixelStats } from '../../lib/eda/pixelStats.ts';
import { sampleDigits } from '../../lib/eda/sampleDigits.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';
import { handMade } from './fixtures.ts';

const at = (row: number, col: number) => row * SIDE + col;

describe('pixelStats', () => {
  it('gives mean and population standard deviation of each pixel over all images', () => {
    const stats = pixelStats(handMade());
    expect(stats.numRows()).toBe(PIXELS);
    const rows = stats.objects() as Array<{ pixel: number; row: number; col: number; mean: number; std: number }>;
    // (2, 3) holds 100, 50, 0: mean 50, variance ((50² + 0² + 50²) / 3)
    expect(rows[at(2, 3)]).toMatchObject({ pixel: at(2, 3), row: 2, col: 3, mean: 50 });
    expect(rows[at(2, 3)].std).toBeCloseTo(Math.sqrt(5000 / 3), 10);
    // (5, 7) holds 200, 0, 0
    expect(rows[at(5, 7)].mean).toBeCloseTo(200 / 3, 10);
    expect(rows[at(5, 7)].std).toBeCloseTo(Math.sqrt((200 * 200) / 3 - (200 / 3) ** 2), 10);
    expect(rows[0]).toEqual({ pixel: 0, row: 0, col: 0, mean: 0, std: 0 });
  });

  it('refuses an empty dataset', () => {
    expect(() => pixelStats(new DigitDataset(new Uint8Array(0), new Int32Array(0)))).toThrow(/pixelStats: the dataset is empty/);
  });
});

describe('meanDigits', () => {
  it('averages the images of each digit present, pixel by pixel', () => {
    const means = meanDigits(handMade());
    expect(means.numRows()).toBe(2 * PIXELS);
    const one = means.filter('d => d.label === 1').objects() as Array<{ count: number; pixel: number; row: number; col: number; mean: number }>;
    expect(one[at(2, 3)]).toEqual({ label: 1, count: 2, pixel: at(2, 3), row: 2, col: 3, mean: 75 });
    expect(one[at(5, 7)].mean).toBe(100);
    const three = means.filter('d => d.label === 3').array('mean') as ArrayLike<number>;
    expect(Array.from(three).every((v) => v === 0)).toBe(true);
  });

  it('needs labels', () => {
    expect(() => meanDigits(handMade(false))).toThrow(/meanDigits: the dataset has no labels/);
  });
});

describe('sampleDigits', () => {
  const many = (() => {
    const n = 57;
    const pixels = new Uint8Array(n * PIXELS);
    for (let i = 0; i < n; i++) pixels[i * PIXELS] = i;
    return new DigitDataset(pixels, Int32Array.from({ length: n }, (_, i) => 1000 + i), Uint8Array.from({ length: n }, (_, i) => i % 10));
  })();

  it('draws rows x columns distinct digits laid out as a grid, with their own pixels and labels', () => {
    const sample = sampleDigits(many, { rows: 3, columns: 4, seed: 5 });
    expect(sample.numRows()).toBe(12);
    const rows = sample.objects() as Array<{ gridRow: number; gridCol: number; index: number; id: number; label: number; pixels: Uint8Array }>;
    expect(new Set(rows.map((r) => r.index)).size).toBe(12);
    expect(rows.map((r) => [r.gridRow, r.gridCol])).toEqual(Array.from({ length: 12 }, (_, k) => [Math.floor(k / 4), k % 4]));
    for (const r of rows) {
      expect(r.id).toBe(1000 + r.index);
      expect(r.label).toBe(r.index % 10);
      expect(r.pixels[0]).toBe(r.index);
      expect(r.pixels).toHaveLength(PIXELS);
    }
  });

  it('is reproducible for a seed, different for another, and shows everything when asked for more', () => {
    const ids = (seed: number) => sampleDigits(many, { rows: 2, seed }).array('id');
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
    expect(sampleDigits(many, { rows: 100 }).numRows()).toBe(57);
  });

  it('names a bad rows or columns value', () => {
    expect(() => sampleDigits(many, { rows: 0 })).toThrow(/sampleDigits: rows must be an integer >= 1, got 0/);
    expect(() => sampleDigits(many, { rows: 1.5 })).toThrow(/rows must be an integer/);
    expect(() => sampleDigits(many, { rows: 1, columns: -2 })).toThrow(/columns must be an integer >= 1, got -2/);
  });
});
