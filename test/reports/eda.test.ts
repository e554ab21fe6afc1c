import { describe, expect, it } from 'vitest';
import { buildEdaReport, edaData } from '../../reports/eda.ts';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { PIXELS } from '../../lib/types.ts';
import { barDigits } from './syntheticMetrics.ts';

describe('edaData', () => {
  it('gathers the distribution, per-digit and per-pixel figures and the requested rows of samples', () => {
    const train = barDigits(95);
    const data = edaData(train, { rows: 3, columns: 7 });
    expect(data.images).toBe(95);
    expect(data.distribution.map((d) => d.count)).toEqual([10, 10, 10, 10, 10, 9, 9, 9, 9, 9]);
    expect(data.sample.digits).toHaveLength(21);
    expect(data.sample).toMatchObject({ rows: 3, columns: 7 });
    expect(data.pixelStats).toHaveLength(PIXELS);
    expect(data.meanDigits.map((m) => m.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // digit d is a bar in column 4 + 2d, rows 4–23: its mean image has ink there and nowhere else
    const three = data.meanDigits[3].pixels;
    expect(three[10 * 28 + 10]).toBeGreaterThan(128);
    expect(three[10 * 28 + 12]).toBe(0);
    expect(data.digitStats[3]).toMatchObject({ label: 3, bboxWidth: 1, bboxHeight: 20 });
  });

  it('refuses unlabelled data and a bad number of rows, naming the problem', () => {
    const train = barDigits(20);
    expect(() => edaData(new DigitDataset(train.pixels, train.ids), { rows: 1 })).toThrow(/eda: the training data has no labels/);
    expect(() => edaData(train, { rows: 0 })).toThrow(/rows must be an integer >= 1, got 0/);
  });
});

describe('buildEdaReport', () => {
  it('explains the data in words drawn from the figures, and charts it', () => {
    const report = buildEdaReport(edaData(barDigits(95), { rows: 2 }));
    expect(report.sections.flatMap((s) => s.charts.map((c) => c.name))).toEqual(['label-distribution', 'sample-digits', 'mean-digits', 'digit-ink', 'pixel-variation']);
    const words = report.sections.flatMap((s) => [...s.paragraphs, ...s.charts.map((c) => c.caption ?? '')]).join(' ');
    expect(words).toContain('95 labelled images');
    expect(words).toContain('The most frequent digit is 0 (10.5% of the images), the rarest 9 (9.5%)');
    expect(words).toContain('20 training images picked at random (2 rows, as requested)');
    // bars cover columns 4–22 (even) of rows 4–23: 10 x 20 pixels are inked, the other 584 never
    expect(words).toContain('584 of the 784 pixel positions are blank in every training image');
  });
});
