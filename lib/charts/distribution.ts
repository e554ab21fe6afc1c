import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, DIGITS, VEGA_LITE_SCHEMA } from './base.ts';
import { NEUTRAL } from './palette.ts';

/** How often one digit occurs (a row of `labelDistribution`). */
export interface LabelShare {
  label: number;
  count: number;
  /** count / total, 0–1 */
  share: number;
}

/**
 * Bar chart of how many examples each digit has, with its share printed on the bar, so that an
 * unbalanced training set shows at a glance.
 *
 * @example
 * const spec = distributionChart(labelDistribution(imageSummaries(train)).objects() as LabelShare[]);
 */
export function distributionChart(rows: readonly LabelShare[], title = 'Examples per digit'): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    config: CHART_CONFIG,
    width: 420,
    height: 220,
    data: { values: rows.map((r) => ({ label: r.label, count: r.count, share: r.share })) },
    encoding: {
      x: { field: 'label', type: 'ordinal', title: 'Digit', scale: { domain: [...DIGITS] }, axis: { labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', title: 'Examples' },
    },
    layer: [
      {
        mark: { type: 'bar', color: NEUTRAL, tooltip: true },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 10, color: '#2e3440' },
        encoding: { text: { field: 'share', type: 'quantitative', format: '.1%' } },
      },
    ],
  };
}
