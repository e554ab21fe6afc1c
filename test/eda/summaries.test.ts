import { table } from 'arquero';
import { describe, expect, it } from 'vitest';
import { digitPixelStats } from '../../lib/eda/digitPixelStats.ts';
import { imageSummaries } from '../../lib/eda/imageSummaries.ts';
import { labelDistribution } from '../../lib/eda/labelDistribution.ts';
import { PIXELS } from '../../lib/types.ts';
import { handMade } from './fixtures.ts';

describe('imageSummaries', () => {
  it('computes mean grey level, ink coverage and stroke box per image', () => {
    const rows = imageSummaries(handMade()).objects();
    expect(rows).toEqual([
      { id: 10, label: 1, meanIntensity: 300 / PIXELS, inkCoverage: 2 / PIXELS, bboxWidth: 5, bboxHeight: 4 },
      { id: 11, label: 1, meanIntensity: 50 / PIXELS, inkCoverage: 1 / PIXELS, bboxWidth: 1, bboxHeight: 1 },
      { id: 12, label: 3, meanIntensity: 0, inkCoverage: 0, bboxWidth: 0, bboxHeight: 0 },
    ]);
  });

  it('has no label column for unlabelled data', () => {
    expect(imageSummaries(handMade(false)).columnNames()).not.toContain('label');
  });
});

describe('labelDistribution', () => {
  it('counts every digit 0–9, absent ones as 0, with shares summing to 1', () => {
    const rows = labelDistribution(imageSummaries(handMade())).objects() as Array<{ label: number; count: number; share: number }>;
    expect(rows.map((r) => r.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows[1]).toEqual({ label: 1, count: 2, share: 2 / 3 });
    expect(rows[3]).toEqual({ label: 3, count: 1, share: 1 / 3 });
    expect(rows.filter((r) => r.count === 0)).toHaveLength(8);
    expect(rows.every((r) => r.count > 0 || r.share === 0)).toBe(true);
  });

  it('works on any table with a label column, and names the missing column otherwise', () => {
    const rows = labelDistribution(table({ label: [7, 7, 7, 2] })).objects() as Array<{ label: number; share: number }>;
    expect(rows[7].share).toBe(0.75);
    expect(() => labelDistribution(imageSummaries(handMade(false)))).toThrow(/labelDistribution: the table has no 'label' column/);
  });
});

describe('digitPixelStats', () => {
  it('averages the image summaries per digit', () => {
    expect(digitPixelStats(imageSummaries(handMade())).objects()).toEqual([
      { label: 1, count: 2, meanIntensity: expect.closeTo(175 / PIXELS, 12), inkCoverage: expect.closeTo(1.5 / PIXELS, 12), bboxWidth: 3, bboxHeight: 2.5 },
      { label: 3, count: 1, meanIntensity: 0, inkCoverage: 0, bboxWidth: 0, bboxHeight: 0 },
    ]);
  });

  it('names the missing column', () => {
    expect(() => digitPixelStats(table({ label: [1] }))).toThrow(/digitPixelStats: the table has no 'meanIntensity' column/);
  });
});
