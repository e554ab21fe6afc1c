import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageSize } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ViewSpec } from './base.ts';

/** Statistics of one pixel position over a set of images (a row of `pixelStats`). */
export interface PixelStat {
  /** position, row-major: 0 to width x height - 1 */
  pixel: number;
  mean: number;
  std: number;
}

/** Most cells a side of the map has: larger images are averaged in square blocks, since a rect per pixel of a 224x224 map would make a 100,000-element SVG. */
const MAX_CELLS = 64;
/** Screen pixels the longer side of a map takes by default (28 x 7, as for the digits). */
const MAP_SIDE = 196;

interface Cell {
  row: number;
  col: number;
  mean: number;
  variance: number;
}

/** Averages of mean and variance over `block` x `block` squares of positions (block 1: the positions themselves). */
function cellsOf(stats: readonly PixelStat[], size: ImageSize, block: number): Cell[] {
  if (block === 1) return stats.map((s) => ({ row: Math.floor(s.pixel / size.width), col: s.pixel % size.width, mean: s.mean, variance: s.std * s.std }));
  const columns = Math.ceil(size.width / block);
  const sums = new Map<number, { n: number; mean: number; variance: number }>();
  for (const s of stats) {
    const key = Math.floor(Math.floor(s.pixel / size.width) / block) * columns + Math.floor((s.pixel % size.width) / block);
    const sum = sums.get(key) ?? { n: 0, mean: 0, variance: 0 };
    sum.n++;
    sum.mean += s.mean;
    sum.variance += s.std * s.std;
    sums.set(key, sum);
  }
  return [...sums].map(([key, sum]) => ({ row: Math.floor(key / columns), col: key % columns, mean: sum.mean / sum.n, variance: sum.variance / sum.n }));
}

function heatmap(field: 'mean' | 'variance', title: string, scheme: 'greys' | 'viridis', width: number, height: number): ViewSpec {
  return {
    title: { text: title, fontSize: 12 },
    width,
    height,
    mark: { type: 'rect', tooltip: true },
    encoding: {
      // ordinal rows and columns put pixel (0, 0) at the top left, as the image is stored
      x: { field: 'col', type: 'ordinal', axis: null },
      y: { field: 'row', type: 'ordinal', axis: null },
      color: {
        field,
        type: 'quantitative',
        scale: { scheme },
        legend: { title: null, orient: 'bottom', gradientLength: width, format: field === 'mean' ? '.0f' : '.2s' },
      },
    },
  };
}

/**
 * Where the ink is and where images differ: the mean value of every pixel position next to its
 * variance (high where the images differ most, zero where every image is the same, such as the
 * blank border of the digits). For RGB the value is the brightness, the mean of R, G and B, as
 * `pixelStats` computes it. `size` is the images' (default: 28x28); `zoom` is screen pixels per
 * map cell (default: the longer side takes about 196 px). Images wider or taller than 64 are
 * mapped in square blocks of positions, averaged.
 *
 * @example
 * const spec = pixelVariationChart(pixelStats(train).objects() as PixelStat[], undefined, train.format);
 */
export function pixelVariationChart(stats: readonly PixelStat[], zoom?: number, size: ImageSize = MNIST_FORMAT): TopLevelSpec {
  const positions = size.width * size.height;
  if (stats.length !== positions) {
    throw new UserError(`pixelVariationChart: ${stats.length} pixel statistics for ${size.width}x${size.height} images (${positions} positions)`);
  }
  const block = Math.ceil(Math.max(size.width, size.height) / MAX_CELLS);
  const columns = Math.ceil(size.width / block);
  const rows = Math.ceil(size.height / block);
  const cell = zoom ?? Math.max(1, Math.round(MAP_SIDE / Math.max(columns, rows)));
  if (!(cell > 0)) throw new UserError(`pixelVariationChart: zoom must be > 0, got ${cell}`);
  const level = size.channels === 3 ? 'brightness (mean of R, G, B)' : 'grey levels';
  const blocks = block > 1 ? `, averaged in blocks of ${block} x ${block} pixels` : '';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Per-pixel mean and variance', subtitle: `${level} 0–255 over all training images${blocks}` },
    config: CHART_CONFIG,
    data: { values: cellsOf(stats, size, block) },
    hconcat: [
      heatmap('mean', size.channels === 3 ? 'Mean brightness' : 'Mean grey level', 'greys', columns * cell, rows * cell),
      heatmap('variance', 'Variance', 'viridis', columns * cell, rows * cell),
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
