import type { TopLevelSpec } from 'vega-lite';
import type { EpochStats } from '../types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ViewSpec } from './base.ts';
import { modelColorScale } from './palette.ts';

/** The per-epoch history of one model. */
export interface ModelHistory {
  model: string;
  history: readonly EpochStats[];
}

interface CurvePoint {
  model: string;
  epoch: number;
  split: 'train' | 'validation';
  loss?: number;
  accuracy?: number;
}

function curvePoints({ model, history }: ModelHistory): CurvePoint[] {
  return history.flatMap((e) => {
    const points: CurvePoint[] = [{ model, epoch: e.epoch, split: 'train', loss: e.loss, accuracy: e.accuracy }];
    if (e.validLoss !== undefined || e.validAccuracy !== undefined) {
      points.push({ model, epoch: e.epoch, split: 'validation', loss: e.validLoss, accuracy: e.validAccuracy });
    }
    return points;
  });
}

function panel(metric: 'loss' | 'accuracy', models: readonly string[]): ViewSpec {
  return {
    width: 320,
    height: 220,
    transform: [{ filter: `isValid(datum.${metric})` }],
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: metric,
        type: 'quantitative',
        title: metric === 'loss' ? 'Loss (cross-entropy)' : 'Accuracy',
        scale: { zero: false },
        axis: metric === 'accuracy' ? { format: '.1%' } : {},
      },
      color: { field: 'model', type: 'nominal', title: 'Model', scale: modelColorScale(models), legend: { symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 3 } },
    },
    layer: [
      {
        // points on their own layer: with `point: true` vega-lite draws the dash legend invisible
        mark: { type: 'line' },
        encoding: {
          strokeDash: {
            field: 'split',
            type: 'nominal',
            title: 'Data',
            scale: { domain: ['train', 'validation'], range: [[1, 0], [5, 3]] },
            legend: { symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2 },
          },
        },
      },
      { mark: { type: 'point', filled: true, size: 30, tooltip: true } },
    ],
  };
}

/**
 * Loss and accuracy per epoch, on the training and the validation data, every model on the same
 * axes: a gap between the solid (train) and dashed (validation) line of a model is overfitting.
 *
 * @example
 * const spec = trainingCurvesChart(metrics.map((m) => ({ model: m.model, history: m.history })));
 */
export function trainingCurvesChart(models: readonly ModelHistory[]): TopLevelSpec {
  const names = models.map((m) => m.model);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Training curves',
    config: CHART_CONFIG,
    data: { values: models.flatMap(curvePoints) },
    hconcat: [panel('loss', names), panel('accuracy', names)],
  };
}
