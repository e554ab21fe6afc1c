import { table, type ColumnTable } from 'arquero';
import type { DigitDataset } from '../data/dataset.ts';
import { PIXELS, SIDE } from '../types.ts';
import { pixelMoments } from './pixelMoments.ts';
import { UserError } from '../errors.ts';

/**
 * Mean and (population) standard deviation of the grey level at every pixel position over all
 * images: 784 rows with columns `pixel` (0–783, row-major), `row`, `col`, `mean`, `std`.
 *
 * @example
 * pixelStats(train).filter('d => d.std === 0').numRows(); // pixels no digit ever touches
 */
export function pixelStats(dataset: DigitDataset): ColumnTable {
  if (dataset.size === 0) throw new UserError('pixelStats: the dataset is empty');
  const { counts, sums, squares } = pixelMoments(dataset, 1, () => 0);
  const n = counts[0];
  const mean = new Float64Array(PIXELS);
  const std = new Float64Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    mean[p] = sums[p] / n;
    // clamp: rounding can make a zero variance slightly negative
    std[p] = Math.sqrt(Math.max(0, squares[p] / n - mean[p] * mean[p]));
  }
  const pixel = Int32Array.from({ length: PIXELS }, (_, p) => p);
  return table({
    pixel,
    row: pixel.map((p) => Math.floor(p / SIDE)),
    col: pixel.map((p) => p % SIDE),
    mean,
    std,
  });
}
