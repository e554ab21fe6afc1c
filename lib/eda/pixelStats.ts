import { table, type ColumnTable } from 'arquero';
import type { ImageDataset } from '../data/dataset.ts';
import { pixelMoments } from './pixelMoments.ts';
import { UserError } from '../errors.ts';

/**
 * Mean and (population) standard deviation, over all images, of the value at every pixel position:
 * width x height rows with columns `pixel` (position, row-major), `row`, `col`, `mean`, `std`. For
 * colour images the value of a pixel is its brightness, the mean of its three channels, so that one
 * map shows where images differ whatever their colour (per-channel means are in {@link meanImages}).
 *
 * @example
 * pixelStats(train).filter('d => d.std === 0').numRows(); // positions no image ever marks
 */
export function pixelStats(dataset: ImageDataset): ColumnTable {
  if (dataset.size === 0) throw new UserError('pixelStats: the dataset is empty');
  const { width } = dataset.format;
  const { counts, sums, squares, stride: positions } = pixelMoments(dataset, 1, () => 0, { positions: true });
  const n = counts[0];
  const mean = new Float64Array(positions);
  const std = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    mean[p] = sums[p] / n;
    // clamp: rounding can make a zero variance slightly negative
    std[p] = Math.sqrt(Math.max(0, squares[p] / n - mean[p] * mean[p]));
  }
  const pixel = Int32Array.from({ length: positions }, (_, p) => p);
  return table({
    pixel,
    row: pixel.map((p) => Math.floor(p / width)),
    col: pixel.map((p) => p % width),
    mean,
    std,
  });
}
