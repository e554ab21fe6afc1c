import type { TopLevelSpec } from 'vega-lite';

type Config = NonNullable<TopLevelSpec['config']>;

/** The Vega-Lite schema every spec declares, so a saved .vl.json opens in the Vega editor as is. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The digits 0–9, as an explicit domain so that a class with no rows still gets its place on an axis. */
export const DIGITS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Shared look: system fonts, quiet grid, no chart border. */
export const CHART_CONFIG: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e9f0' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** One view of a concatenated chart (what `hconcat` holds). */
export type ViewSpec = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];
