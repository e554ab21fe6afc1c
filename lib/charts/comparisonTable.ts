import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './base.ts';
import { NEUTRAL, modelColorScale } from './palette.ts';

/** The figures the comparison table shows for one model. */
export interface ModelSummary {
  model: string;
  backend: string;
  parameters: number;
  epochs: number;
  validAccuracy: number;
  /** Held-out accuracy, only when the test answers are known. */
  testAccuracy?: number;
  trainSeconds: number;
  samplesPerSec: number;
  predictSeconds: number;
}

const HEADER = 'Model';

function cells(m: ModelSummary): Array<[string, string]> {
  const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
  return [
    [HEADER, m.model],
    ['Validation accuracy', percent(m.validAccuracy)],
    ['Test accuracy', m.testAccuracy === undefined ? 'unknown (no answers)' : percent(m.testAccuracy)],
    ['Parameters', m.parameters.toLocaleString('en-US')],
    ['Epochs', String(m.epochs)],
    ['Training time', `${m.trainSeconds.toFixed(1)} s`],
    ['Training speed', `${Math.round(m.samplesPerSec).toLocaleString('en-US')} samples/s`],
    ['Prediction time', `${m.predictSeconds.toFixed(2)} s`],
    ['Backend', m.backend],
  ];
}

/**
 * The models side by side as a table (one column per model, in its colour): accuracy, size, time
 * and backend, the figures to weigh when choosing which model to trust.
 *
 * @example
 * const spec = comparisonTableChart([{ model: 'mlp', backend: 'wasm', parameters: 669706, ... }]);
 */
export function comparisonTableChart(models: readonly ModelSummary[]): TopLevelSpec {
  const rows = models.flatMap((m) => cells(m).map(([measure, text]) => ({ model: m.model, measure, text })));
  const measures = models.length ? cells(models[0]).map(([measure]) => measure) : [];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Models compared',
    config: { ...CHART_CONFIG, axis: { ...CHART_CONFIG.axis, grid: false, domain: false, ticks: false } },
    width: { step: 170 },
    height: { step: 24 },
    data: { values: rows },
    encoding: {
      x: { field: 'model', type: 'nominal', sort: models.map((m) => m.model), axis: null },
      y: { field: 'measure', type: 'nominal', sort: measures, title: null, axis: { labelFontSize: 12, labelFontWeight: 'bold', labelPadding: 12, labelLimit: 240 } },
    },
    layer: [
      {
        transform: [{ filter: { field: 'measure', equal: HEADER } }],
        mark: { type: 'text', fontSize: 13, fontWeight: 'bold' },
        encoding: { text: { field: 'text', type: 'nominal' }, color: { field: 'model', type: 'nominal', scale: modelColorScale(models.map((m) => m.model)), legend: null } },
      },
      {
        transform: [{ filter: { not: { field: 'measure', equal: HEADER } } }],
        mark: { type: 'text', fontSize: 12, color: NEUTRAL },
        encoding: { text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}
