import type { TopLevelSpec } from 'vega-lite';
import { SIDE } from '../types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ViewSpec } from './base.ts';

/** Statistics of one pixel position over a set of images (a row of `pixelStats`). */
export interface PixelStat {
  /** 0–783, row-major */
  pixel: number;
  mean: number;
  std: number;
}

function heatmap(field: 'mean' | 'variance', title: string, scheme: 'greys' | 'viridis', zoom: number): ViewSpec {
  return {
    title: { text: title, fontSize: 12 },
    width: SIDE * zoom,
    height: SIDE * zoom,
    mark: { type: 'rect', tooltip: true },
    encoding: {
      // ordinal rows and columns put pixel (0, 0) at the top left, as the image is stored
      x: { field: 'col', type: 'ordinal', axis: null },
      y: { field: 'row', type: 'ordinal', axis: null },
      color: {
        field,
        type: 'quantitative',
        scale: { scheme },
        legend: { title: null, orient: 'bottom', gradientLength: SIDE * zoom, format: field === 'mean' ? '.0f' : '.2s' },
      },
    },
  };
}

/**
 * Where the ink is and where images differ: the mean grey level of every pixel position next to its
 * variance (high where strokes of different writers land, zero in the border no digit touches).
 *
 * @example
 * const spec = pixelVariationChart(pixelStats(train).objects() as PixelStat[]);
 */
export function pixelVariationChart(stats: readonly PixelStat[], zoom = 7): TopLevelSpec {
  const values = stats.map((s) => ({
    row: Math.floor(s.pixel / SIDE),
    col: s.pixel % SIDE,
    mean: s.mean,
    variance: s.std * s.std,
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Per-pixel mean and variance', subtitle: 'grey levels 0–255 over all training images' },
    config: CHART_CONFIG,
    data: { values },
    hconcat: [heatmap('mean', 'Mean grey level', 'greys', zoom), heatmap('variance', 'Variance', 'viridis', zoom)],
    resolve: { scale: { color: 'independent' } },
  };
}
