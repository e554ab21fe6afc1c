import type { ImageDataset } from '../data/dataset.ts';
import { pixelCount } from '../data/format.ts';

/** Per-group counts, sums and sums of squares, at every value (or pixel position) of the images. */
export interface PixelMoments {
  groups: number;
  /** Values accumulated per image: `pixelCount(format)`, or width x height for `positions`. */
  stride: number;
  /** images per group */
  counts: Float64Array;
  /** groups x stride */
  sums: Float64Array;
  /** groups x stride */
  squares: Float64Array;
}

/**
 * One pass over the images accumulating, for every group (e.g. every label) and every stored value
 * (height x width x channels), the sum and the sum of squares; means and variances follow. With
 * `positions`, the channels of a pixel are first averaged into one brightness (grey images are
 * unchanged), so that one statistic per pixel position can be drawn as a map. Sums of at most
 * 70,000 x 255² stay exact in float64.
 */
export function pixelMoments(
  dataset: ImageDataset,
  groups: number,
  groupOf: (row: number) => number,
  options: { positions?: boolean } = {},
): PixelMoments {
  const { format, pixels } = dataset;
  const values = pixelCount(format);
  const channels = options.positions ? format.channels : 1;
  const stride = values / channels;
  const counts = new Float64Array(groups);
  const sums = new Float64Array(groups * stride);
  const squares = new Float64Array(groups * stride);
  for (let i = 0; i < dataset.size; i++) {
    const group = groupOf(i);
    counts[group]++;
    const src = i * values;
    const dst = group * stride;
    for (let p = 0; p < stride; p++) {
      let value = pixels[src + p * channels];
      for (let c = 1; c < channels; c++) value += pixels[src + p * channels + c];
      value /= channels;
      sums[dst + p] += value;
      squares[dst + p] += value * value;
    }
  }
  return { groups, stride, counts, sums, squares };
}
