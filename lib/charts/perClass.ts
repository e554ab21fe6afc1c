import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import type { ClassMetrics } from '../types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, classAxis, classAxisLayout, classNameLookup } from './base.ts';
import { modelColorScale } from './palette.ts';
import { formatWords } from './words.ts';

/** One model's precision / recall / F1 for every class. */
export interface ModelPerClass {
  model: string;
  perClass: readonly ClassMetrics[];
}

const MEASURES = [
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
] as const;

/** Up to this many classes the three panels sit side by side; beyond, they are stacked. */
const SIDE_BY_SIDE = 16;

/**
 * Precision, recall and F1 of every class, one panel per measure, models in their colours on the
 * same axes: the classes a model finds hard stand out as dips. `format` names the classes on the
 * axis (default: the ten digits); with many classes the panels widen and stack.
 *
 * @example
 * const spec = perClassChart(metrics.map((m) => ({ model: m.model, perClass: m.valid.perClass })), 'validation', train.format);
 */
export function perClassChart(models: readonly ModelPerClass[], dataName: string, format: ImageFormat = MNIST_FORMAT): TopLevelSpec {
  const values = models.flatMap(({ model, perClass }) =>
    perClass.flatMap((c) => MEASURES.map(([key, measure]) => ({ model, label: c.label, measure, value: c[key], support: c.support }))),
  );
  const words = formatWords(format);
  const axis = classAxisLayout(format, 23, { crowded: 600, minStep: 14 });
  const sideBySide = axis.names.length <= SIDE_BY_SIDE;
  const measure = { field: 'measure', type: 'nominal', title: null, sort: MEASURES.map(([, name]) => name) } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: `Precision, recall and F1 per ${words.kind} (${dataName})`, subtitle: 'the y axis is zoomed in: differences are small' },
    config: CHART_CONFIG,
    data: { values },
    transform: [classNameLookup(format, 'label', 'class')],
    ...(sideBySide ? { facet: { column: measure } } : { facet: measure, columns: 1 }),
    spec: {
      width: Math.max(230, axis.step * axis.names.length),
      height: 200,
      mark: { type: 'line', point: { size: 40 }, tooltip: true },
      encoding: {
        x: { field: 'class', type: 'nominal', title: words.Kind, scale: { domain: axis.names }, axis: classAxis(axis) },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '.1%' } },
        color: { field: 'model', type: 'nominal', title: 'Model', scale: modelColorScale(models.map((m) => m.model)) },
      },
    },
  };
}
