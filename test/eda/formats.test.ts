import { describe, expect, it } from 'vitest';
import { ImageDataset } from '../../lib/data/dataset.ts';
import { classNames, pixelCount } from '../../lib/data/format.ts';
import { imageSummaries } from '../../lib/eda/imageSummaries.ts';
import { classDistribution } from '../../lib/eda/labelDistribution.ts';
import { classPixelStats } from '../../lib/eda/digitPixelStats.ts';
import { meanImages } from '../../lib/eda/meanDigits.ts';
import { pixelStats } from '../../lib/eda/pixelStats.ts';
import { sampleImages } from '../../lib/eda/sampleDigits.ts';
import { table } from 'arquero';
import { RGB_32, formatSets } from './formatFixtures.ts';

describe.each(formatSets())('EDA tables of $name', ({ dataset }) => {
  const { format } = dataset;
  const classes = format.classes.length;
  const positions = format.width * format.height;

  it('summarises every image, its box inside the image', () => {
    const rows = imageSummaries(dataset).objects() as Array<{ bboxWidth: number; bboxHeight: number; inkCoverage: number }>;
    expect(rows).toHaveLength(dataset.size);
    for (const r of rows) {
      expect(r.bboxWidth).toBeLessThanOrEqual(format.width);
      expect(r.bboxHeight).toBeLessThanOrEqual(format.height);
      expect(r.inkCoverage).toBeLessThanOrEqual(1);
    }
  });

  it('counts every class of the format, by index and by name', () => {
    const rows = classDistribution(imageSummaries(dataset), format).objects() as Array<{ label: number; class: string; count: number }>;
    expect(rows.map((r) => r.label)).toEqual(Array.from({ length: classes }, (_, k) => k));
    expect(rows.map((r) => r.class)).toEqual(classNames(format));
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(dataset.size);
  });

  it('averages the summaries per class, naming each', () => {
    const rows = classPixelStats(imageSummaries(dataset), format).objects() as Array<{ label: number; class: string }>;
    expect(rows).toHaveLength(classes);
    expect(rows.map((r) => r.class)).toEqual(classNames(format));
  });

  it('gives a mean image per class at the data set’s size and colour', () => {
    const means = meanImages(dataset);
    expect(means.numRows()).toBe(classes * pixelCount(format));
    const first = means.filter('d => d.label === 0');
    expect(first.numRows()).toBe(pixelCount(format));
    expect(new Set(first.array('class') as string[])).toEqual(new Set([format.classes[0].name]));
    expect(Math.max(...(first.array('row') as number[]))).toBe(format.height - 1);
    expect(Math.max(...(first.array('col') as number[]))).toBe(format.width - 1);
    expect(Math.max(...(first.array('channel') as number[]))).toBe(format.channels - 1);
    // value 5 of class 0 is the average of that value over class 0's images
    const values = pixelCount(format);
    const rows = Array.from(dataset.labels!).flatMap((label, row) => (label === 0 ? [row] : []));
    const expected = rows.reduce((sum, row) => sum + dataset.pixels[row * values + 5], 0) / rows.length;
    expect((first.array('mean') as number[])[5]).toBeCloseTo(expected, 10);
  });

  it('maps every pixel position once', () => {
    const stats = pixelStats(dataset);
    expect(stats.numRows()).toBe(positions);
    expect(stats.objects()[positions - 1]).toMatchObject({ pixel: positions - 1, row: format.height - 1, col: format.width - 1 });
  });

  it('samples whole images with their class names', () => {
    const sample = sampleImages(dataset, { rows: 2, columns: 5 }).objects() as Array<{ label: number; class: string; pixels: Uint8Array }>;
    expect(sample).toHaveLength(10);
    for (const s of sample) {
      expect(s.pixels).toHaveLength(pixelCount(format));
      expect(s.class).toBe(format.classes[s.label].name);
    }
  });
});

describe('EDA of colour images', () => {
  // one 32x32 RGB image: pixel (0, 1) is pure red 90, pixel (3, 2) white-ish (30, 60, 90), the rest black
  const values = 32 * 32 * 3;
  const pixels = new Uint8Array(2 * values);
  pixels.set([90, 0, 0], (0 * 32 + 1) * 3);
  pixels.set([30, 60, 90], (3 * 32 + 2) * 3);
  const dataset = new ImageDataset(pixels, Int32Array.of(1, 2), Uint8Array.of(0, 3), RGB_32);

  it('counts a pixel as marked when any of its channels is, and averages over every value', () => {
    const [first, blank] = imageSummaries(dataset).objects() as Array<Record<string, number>>;
    expect(first).toMatchObject({ inkCoverage: 2 / 1024, bboxWidth: 2, bboxHeight: 4 });
    expect(first.meanIntensity).toBeCloseTo(270 / values, 12);
    expect(blank).toMatchObject({ inkCoverage: 0, bboxWidth: 0, bboxHeight: 0, meanIntensity: 0 });
  });

  it('maps the brightness (mean of R, G, B) of each position', () => {
    const rows = pixelStats(dataset).objects() as Array<{ mean: number; std: number }>;
    expect(rows[1].mean).toBeCloseTo(15, 12); // (90 / 3 + 0) / 2 images
    expect(rows[1].std).toBeCloseTo(15, 12);
    expect(rows[3 * 32 + 2].mean).toBeCloseTo(30, 12); // (60 + 0) / 2
  });

  it('keeps the channels of a mean image in storage order', () => {
    const red = meanImages(dataset).filter('d => d.label === 0').array('mean') as number[];
    expect(red.slice(3, 6)).toEqual([90, 0, 0]);
  });

  it('refuses a label the format has no class for', () => {
    expect(() => classDistribution(table({ label: [0, 7] }), RGB_32)).toThrow(/classDistribution: label 7 is not a class index of the format \(5 classes\)/);
  });
});
