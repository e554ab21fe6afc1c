import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, DIGITS, VEGA_LITE_SCHEMA, type ViewSpec } from './base.ts';
import { modelColor } from './palette.ts';
import { UserError } from '../errors.ts';

/** One model's confusion matrix: confusion[trueLabel][predictedLabel] = count. */
export interface ModelConfusion {
  model: string;
  confusion: readonly (readonly number[])[];
}

function cells(confusion: readonly (readonly number[])[]) {
  return confusion.flatMap((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, predicted) => ({ label, predicted, count, share: total ? count / total : 0 }));
  });
}

function matrix({ model, confusion }: ModelConfusion, index: number): ViewSpec {
  const values = cells(confusion);
  // the diagonal would swamp the scale: shade only the mistakes, relative to the worst one
  const worst = Math.max(0, ...values.filter((c) => c.label !== c.predicted).map((c) => c.share)) || 1;
  const axisScale = { domain: [...DIGITS] };
  return {
    title: { text: model, color: modelColor(index) },
    width: 260,
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'Predicted', scale: axisScale, axis: { labelAngle: 0, orient: 'top' } },
      y: { field: 'label', type: 'ordinal', title: 'True', scale: axisScale },
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
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.label !== datum.predicted && datum.share > ${0.6 * worst}`, value: '#ffffff' }, value: '#2e3440' },
        },
      },
    ],
  };
}

/**
 * The confusion matrices of the models side by side (rows: true digit, columns: predicted digit);
 * counts are printed, shading is the share of the row, so off-diagonal cells are the mistakes.
 *
 * @example
 * const spec = confusionMatricesChart(metrics.map((m) => ({ model: m.model, confusion: m.valid.confusion })), 'validation');
 */
export function confusionMatricesChart(models: readonly ModelConfusion[], dataName: string): TopLevelSpec {
  for (const { model, confusion } of models) {
    if (confusion.length !== DIGITS.length || confusion.some((row) => row.length !== DIGITS.length)) {
      throw new UserError(`confusionMatricesChart: confusion of model '${model}' must be 10 x 10`);
    }
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: `Confusion matrices (${dataName})`, subtitle: 'rows: true digit, columns: predicted digit, numbers: counts' },
    config: CHART_CONFIG,
    hconcat: models.map(matrix),
    resolve: { scale: { color: 'independent' } },
  };
}
