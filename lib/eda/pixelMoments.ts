import type { DigitDataset } from '../data/dataset.ts';
import { PIXELS } from '../types.ts';

/** Per-group, per-pixel counts, sums and sums of squares of grey levels. */
export interface PixelMoments {
  groups: number;
  /** images per group */
  counts: Float64Array;
  /** groups x 784 */
  sums: Float64Array;
  /** groups x 784 */
  squares: Float64Array;
}

/**
 * One pass over the images accumulating, for every group (e.g. every label) and pixel position,
 * the sum and the sum of squares of grey levels; means and variances follow. Sums of at most
 * 70,000 x 255² stay exact in float64.
 */
export function pixelMoments(dataset: DigitDataset, groups: number, groupOf: (row: number) => number): PixelMoments {
  const counts = new Float64Array(groups);
  const sums = new Float64Array(groups * PIXELS);
  const squares = new Float64Array(groups * PIXELS);
  const { pixels } = dataset;
  for (let i = 0; i < dataset.size; i++) {
    const group = groupOf(i);
    counts[group]++;
    const src = i * PIXELS;
    const dst = group * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const grey = pixels[src + p];
      sums[dst + p] += grey;
      squares[dst + p] += grey * grey;
    }
  }
  return { groups, counts, sums, squares };
}
