import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, DIGITS, VEGA_LITE_SCHEMA } from './base.ts';
import { NEUTRAL, modelColor } from './palette.ts';
import { UserError } from '../errors.ts';

/** One model's predicted labels for the same digits, in the same order as the other model's. */
export interface ModelPredictions {
  model: string;
  predictions: ArrayLike<number>;
}

/**
 * Where two models disagree: for every pair (first model says a, second says b, a ≠ b) how many
 * digits got that pair. The title gives the total; an empty chart means they always agree.
 *
 * @example
 * const spec = disagreementChart({ model: 'mlp', predictions: mlp.testPredictions }, { model: 'cnn', predictions: cnn.testPredictions });
 */
export function disagreementChart(first: ModelPredictions, second: ModelPredictions, dataName = 'test'): TopLevelSpec {
  const n = first.predictions.length;
  if (second.predictions.length !== n) {
    throw new UserError(`disagreementChart: ${first.model} has ${n} predictions but ${second.model} has ${second.predictions.length}`);
  }
  const counts = new Map<number, number>();
  let disagreements = 0;
  for (let i = 0; i < n; i++) {
    const a = first.predictions[i];
    const b = second.predictions[i];
    if (a === b) continue;
    disagreements++;
    counts.set(a * 10 + b, (counts.get(a * 10 + b) ?? 0) + 1);
  }
  const values = [...counts].map(([pair, count]) => ({ first: Math.floor(pair / 10), second: pair % 10, count }));
  const most = Math.max(1, ...counts.values());
  const share = n ? ((100 * disagreements) / n).toFixed(2) : '0';
  const axisScale = { domain: [...DIGITS] };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `Where ${first.model} and ${second.model} disagree`,
      subtitle: `${disagreements.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} ${dataName} digits (${share}%) get different labels`,
    },
    config: CHART_CONFIG,
    width: 260,
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'second', type: 'ordinal', title: `${second.model} says`, scale: axisScale, axis: { labelAngle: 0, orient: 'top', titleColor: modelColor(1) } },
      y: { field: 'first', type: 'ordinal', title: `${first.model} says`, scale: axisScale, axis: { titleColor: modelColor(0) } },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: true },
        encoding: { color: { field: 'count', type: 'quantitative', title: 'Digits', scale: { domain: [0, most], range: ['#ffffff', NEUTRAL], interpolate: 'rgb' } } },
      },
      {
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${0.6 * most}`, value: '#ffffff' }, value: NEUTRAL },
        },
      },
    ],
  };
}
