import { table, type ColumnTable } from 'arquero';
import type { DigitDataset } from '../data/dataset.ts';
import { CLASSES, PIXELS, SIDE } from '../types.ts';
import { pixelMoments } from './pixelMoments.ts';
import { UserError } from '../errors.ts';

/**
 * The mean image of each digit in long form: one row per (digit, pixel) with columns `label`,
 * `count` (images of that digit), `pixel` (0–783), `row`, `col`, `mean` (grey level 0–255). Only
 * digits present in the data appear.
 *
 * @example
 * meanDigits(train).filter('d => d.label === 1').array('mean'); // the average 1, 784 values
 */
export function meanDigits(dataset: DigitDataset): ColumnTable {
  const labels = dataset.labels;
  if (!labels) throw new UserError('meanDigits: the dataset has no labels');
  const { counts, sums } = pixelMoments(dataset, CLASSES, (row) => labels[row]);
  const present = Array.from({ length: CLASSES }, (_, d) => d).filter((d) => counts[d] > 0);
  const rows = present.length * PIXELS;
  const label = new Uint8Array(rows);
  const count = new Int32Array(rows);
  const pixel = new Int32Array(rows);
  const mean = new Float64Array(rows);
  present.forEach((digit, k) => {
    for (let p = 0; p < PIXELS; p++) {
      const i = k * PIXELS + p;
      label[i] = digit;
      count[i] = counts[digit];
      pixel[i] = p;
      mean[i] = sums[digit * PIXELS + p] / counts[digit];
    }
  });
  return table({ label, count, pixel, row: pixel.map((p) => Math.floor(p / SIDE)), col: pixel.map((p) => p % SIDE), mean });
}
