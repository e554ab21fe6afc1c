import type { TopLevelSpec } from 'vega-lite';
import type { ClassMetrics } from '../types.ts';
import { CHART_CONFIG, DIGITS, VEGA_LITE_SCHEMA } from './base.ts';
import { modelColorScale } from './palette.ts';

/** One model's precision / recall / F1 for every digit. */
export interface ModelPerClass {
  model: string;
  perClass: readonly ClassMetrics[];
}

const MEASURES = [
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
] as const;

/**
 * Precision, recall and F1 of every digit, one panel per measure, models in their colours on the
 * same axes: the digits a model finds hard stand out as dips.
 *
 * @example
 * const spec = perClassChart(metrics.map((m) => ({ model: m.model, perClass: m.valid.perClass })), 'validation');
 */
export function perClassChart(models: readonly ModelPerClass[], dataName: string): TopLevelSpec {
  const values = models.flatMap(({ model, perClass }) =>
    perClass.flatMap((c) => MEASURES.map(([key, measure]) => ({ model, label: c.label, measure, value: c[key], support: c.support }))),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: `Precision, recall and F1 per digit (${dataName})`, subtitle: 'the y axis is zoomed in: differences are small' },
    config: CHART_CONFIG,
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: MEASURES.map(([, name]) => name) } },
    spec: {
      width: 230,
      height: 200,
      mark: { type: 'line', point: { size: 40 }, tooltip: true },
      encoding: {
        x: { field: 'label', type: 'ordinal', title: 'Digit', scale: { domain: [...DIGITS] }, axis: { labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '.1%' } },
        color: { field: 'model', type: 'nominal', title: 'Model', scale: modelColorScale(models.map((m) => m.model)) },
      },
    },
  };
}
