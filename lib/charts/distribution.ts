import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, classAxis, classAxisLayout, classNameLookup } from './base.ts';
import { NEUTRAL } from './palette.ts';
import { formatWords } from './words.ts';

/** How often one class occurs (a row of `classDistribution`); `label` is the class index. */
export interface LabelShare {
  label: number;
  count: number;
  /** count / total, 0–1 */
  share: number;
}

/** A share printed above a bar needs about this many pixels of bar width. */
const SHARE_TEXT_WIDTH = 30;

/**
 * Bar chart of how many examples each class has, named on the axis, with its share printed on the
 * bar while the bars are wide enough for it, so that an unbalanced training set shows at a glance.
 * `format` gives the classes (default: the ten digits); a class with no rows keeps its place.
 *
 * @example
 * const spec = distributionChart(classDistribution(imageSummaries(train), train.format).objects() as LabelShare[], 'Examples per class', train.format);
 */
export function distributionChart(rows: readonly LabelShare[], title?: string, format: ImageFormat = MNIST_FORMAT): TopLevelSpec {
  const words = formatWords(format);
  const axis = classAxisLayout(format, 42, { crowded: 640, minStep: 14, maxStep: 84 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: title ?? `Examples per ${words.kind}`,
    config: CHART_CONFIG,
    width: Math.max(420, axis.step * axis.names.length),
    height: 220,
    data: { values: rows.map((r) => ({ label: r.label, count: r.count, share: r.share })) },
    transform: [classNameLookup(format, 'label', 'class')],
    encoding: {
      x: { field: 'class', type: 'nominal', title: words.Kind, scale: { domain: axis.names }, axis: classAxis(axis) },
      y: { field: 'count', type: 'quantitative', title: 'Examples' },
    },
    layer: [
      {
        mark: { type: 'bar', color: NEUTRAL, tooltip: true },
      },
      ...(Math.max(420, axis.step * axis.names.length) / axis.names.length >= SHARE_TEXT_WIDTH
        ? [
            {
              mark: { type: 'text', dy: -6, fontSize: 10, color: '#2e3440' },
              encoding: { text: { field: 'share', type: 'quantitative', format: '.1%' } },
            } as const,
          ]
        : []),
    ],
  };
}
