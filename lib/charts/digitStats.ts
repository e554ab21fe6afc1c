import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, classAxis, classAxisLayout, classNameLookup, type ClassAxisLayout, type ViewSpec } from './base.ts';
import { NEUTRAL } from './palette.ts';
import { formatWords } from './words.ts';

/** Averages over the images of one class (a row of `classPixelStats`); `label` is the class index. */
export interface ClassStat {
  label: number;
  count: number;
  /** mean value 0–255 over all pixels and channels */
  meanIntensity: number;
  /** share of pixels with a non-zero value, 0–1 */
  inkCoverage: number;
  bboxWidth: number;
  bboxHeight: number;
}

/** The digits' name for {@link ClassStat}. */
export type DigitStat = ClassStat;

/** Up to this many classes the four panels sit in one row; beyond, two by two. */
const ONE_ROW = 12;

function bars(field: keyof ClassStat, title: string, format: string, kind: string, axis: ClassAxisLayout): ViewSpec {
  return {
    width: Math.max(200, axis.step * axis.names.length),
    height: 160,
    mark: { type: 'bar', color: NEUTRAL, tooltip: true },
    encoding: {
      x: { field: 'class', type: 'nominal', title: kind, scale: { domain: axis.names }, axis: classAxis(axis) },
      y: { field, type: 'quantitative', title, axis: { format } },
    },
  };
}

/**
 * How the classes differ in their pixels: average level, share of non-zero pixels and the average
 * size of the box around them, per class, named on the axes. For the digits this is the ink of the
 * stroke ("Ink per digit"); other data sets get neutral titles. With many classes the panels widen
 * and wrap two by two.
 *
 * @example
 * const spec = classStatsChart(classPixelStats(imageSummaries(train), train.format).objects() as ClassStat[], train.format);
 */
export function classStatsChart(rows: readonly ClassStat[], format: ImageFormat): TopLevelSpec {
  const words = formatWords(format);
  const axis = classAxisLayout(format, 20, { crowded: 400, minStep: 10, maxStep: 40 });
  const level = format.channels === 3 ? 'Mean brightness (0–255)' : 'Mean grey level (0–255)';
  const panels = words.digits
    ? [
        bars('meanIntensity', level, '.0f', words.Kind, axis),
        bars('inkCoverage', 'Inked pixels (share)', '.0%', words.Kind, axis),
        bars('bboxWidth', 'Stroke box width (px)', '.0f', words.Kind, axis),
        bars('bboxHeight', 'Stroke box height (px)', '.0f', words.Kind, axis),
      ]
    : [
        bars('meanIntensity', level, '.0f', words.Kind, axis),
        bars('inkCoverage', 'Non-zero pixels (share)', '.0%', words.Kind, axis),
        bars('bboxWidth', 'Non-zero box width (px)', '.0f', words.Kind, axis),
        bars('bboxHeight', 'Non-zero box height (px)', '.0f', words.Kind, axis),
      ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: words.digits
      ? { text: 'Ink per digit', subtitle: 'averages over the training images of each digit' }
      : { text: 'Pixels per class', subtitle: 'averages over the training images of each class' },
    config: CHART_CONFIG,
    data: { values: rows.map((r) => ({ ...r })) },
    transform: [classNameLookup(format, 'label', 'class')],
    ...(axis.names.length <= ONE_ROW ? { hconcat: panels } : { concat: panels, columns: 2 }),
  };
}

/**
 * How the digits differ in ink: {@link classStatsChart} for the ten digits.
 *
 * @example
 * const spec = digitStatsChart(digitPixelStats(imageSummaries(train)).objects() as DigitStat[]);
 */
export function digitStatsChart(rows: readonly DigitStat[]): TopLevelSpec {
  return classStatsChart(rows, MNIST_FORMAT);
}
