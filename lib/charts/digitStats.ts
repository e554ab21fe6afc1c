import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, DIGITS, VEGA_LITE_SCHEMA, type ViewSpec } from './base.ts';
import { NEUTRAL } from './palette.ts';

/** Averages over the images of one digit (a row of `digitPixelStats`). */
export interface DigitStat {
  label: number;
  count: number;
  /** mean grey level 0–255 */
  meanIntensity: number;
  /** share of non-zero pixels 0–1 */
  inkCoverage: number;
  bboxWidth: number;
  bboxHeight: number;
}

function bars(field: keyof DigitStat, title: string, format: string): ViewSpec {
  return {
    width: 200,
    height: 160,
    mark: { type: 'bar', color: NEUTRAL, tooltip: true },
    encoding: {
      x: { field: 'label', type: 'ordinal', title: 'Digit', scale: { domain: [...DIGITS] }, axis: { labelAngle: 0 } },
      y: { field, type: 'quantitative', title, axis: { format } },
    },
  };
}

/**
 * How the digits differ in ink: average grey level, share of inked pixels and the average size of
 * the stroke's bounding box, per digit.
 *
 * @example
 * const spec = digitStatsChart(digitPixelStats(imageSummaries(train)).objects() as DigitStat[]);
 */
export function digitStatsChart(rows: readonly DigitStat[]): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Ink per digit', subtitle: 'averages over the training images of each digit' },
    config: CHART_CONFIG,
    data: { values: rows.map((r) => ({ ...r })) },
    hconcat: [
      bars('meanIntensity', 'Mean grey level (0–255)', '.0f'),
      bars('inkCoverage', 'Inked pixels (share)', '.0%'),
      bars('bboxWidth', 'Stroke box width (px)', '.0f'),
      bars('bboxHeight', 'Stroke box height (px)', '.0f'),
    ],
  };
}
