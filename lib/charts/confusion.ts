import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, classAxis, classAxisLayout, classNameLookup, type ClassAxisLayout, type LayerItem, type ViewSpec } from './base.ts';
import { modelColor } from './palette.ts';
import { formatWords } from './words.ts';
import { UserError } from '../errors.ts';

/** One model's confusion matrix: confusion[trueLabel][predictedLabel] = count (class indices). */
export interface ModelConfusion {
  model: string;
  confusion: readonly (readonly number[])[];
}

/** Cells smaller than this (in pixels) are too small for a printed count: shading alone tells. */
export const MIN_CELL_FOR_COUNTS = 18;

/**
 * The layout of a matrix of classes (confusion, disagreement): the digits' 26-pixel cells for ten
 * classes, bigger for fewer, shrinking to fit about 480 pixels for many, never below 11.
 */
export function matrixLayout(format: ImageFormat): ClassAxisLayout {
  return classAxisLayout(format, 26, { crowded: 480, minStep: 11, maxStep: 60 });
}

function cells(confusion: readonly (readonly number[])[]) {
  return confusion.flatMap((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, predicted) => ({ label, predicted, count, share: total ? count / total : 0 }));
  });
}

function countLayer(worst: number, layout: ClassAxisLayout): LayerItem {
  return {
    transform: [{ filter: 'datum.count > 0' }],
    mark: { type: 'text', fontSize: layout.step >= 24 ? 9 : 8 },
    encoding: {
      text: { field: 'count', type: 'quantitative' },
      color: { condition: { test: `datum.label !== datum.predicted && datum.share > ${0.6 * worst}`, value: '#ffffff' }, value: '#2e3440' },
    },
  };
}

function matrix({ model, confusion }: ModelConfusion, index: number, format: ImageFormat, layout: ClassAxisLayout): ViewSpec {
  const values = cells(confusion);
  // the diagonal would swamp the scale: shade only the mistakes, relative to the worst one
  const worst = Math.max(0, ...values.filter((c) => c.label !== c.predicted).map((c) => c.share)) || 1;
  const axisScale = { domain: layout.names };
  const side = layout.step * layout.names.length;
  const counts = layout.step >= MIN_CELL_FOR_COUNTS;
  return {
    title: { text: model, color: modelColor(index) },
    width: side,
    height: side,
    data: { values },
    transform: [classNameLookup(format, 'label', 'trueClass'), classNameLookup(format, 'predicted', 'predictedClass')],
    encoding: {
      x: { field: 'predictedClass', type: 'nominal', title: 'Predicted', scale: axisScale, axis: { ...classAxis(layout), orient: 'top' } },
      y: { field: 'trueClass', type: 'nominal', title: 'True', scale: axisScale, axis: { ...classAxis(layout), labelAngle: 0 } },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: true },
        encoding: {
          color: {
            condition: { test: 'datum.label === datum.predicted', value: '#eceff4' },
            field: 'share',
            type: 'quantitative',
            scale: { domain: [0, worst], range: ['#ffffff', modelColor(index)], interpolate: 'rgb' },
            legend: null,
          },
        },
      },
      ...(counts ? [countLayer(worst, layout)] : []),
    ],
  };
}

/**
 * The confusion matrices of the models side by side (rows: true class, columns: predicted class,
 * both named); shading is the share of the row, so off-diagonal cells are the mistakes. Counts are
 * printed in the cells while they are big enough (up to about 26 classes). `format` gives the
 * classes (default: the ten digits); every matrix must be K x K for its K classes.
 *
 * @example
 * const spec = confusionMatricesChart(metrics.map((m) => ({ model: m.model, confusion: m.valid.confusion })), 'validation', train.format);
 */
export function confusionMatricesChart(models: readonly ModelConfusion[], dataName: string, format: ImageFormat = MNIST_FORMAT): TopLevelSpec {
  const classes = format.classes.length;
  for (const { model, confusion } of models) {
    if (confusion.length !== classes || confusion.some((row) => row.length !== classes)) {
      throw new UserError(`confusionMatricesChart: confusion of model '${model}' must be ${classes} x ${classes}, one row and column per class`);
    }
  }
  const layout = matrixLayout(format);
  const { kind } = formatWords(format);
  const numbers = layout.step >= MIN_CELL_FOR_COUNTS ? 'numbers: counts' : 'shading: share of the true class';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: `Confusion matrices (${dataName})`, subtitle: `rows: true ${kind}, columns: predicted ${kind}, ${numbers}` },
    config: CHART_CONFIG,
    hconcat: models.map((m, i) => matrix(m, i, format, layout)),
    resolve: { scale: { color: 'independent' } },
  };
}
