import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, classAxis, classNameLookup } from './base.ts';
import { MIN_CELL_FOR_COUNTS, matrixLayout } from './confusion.ts';
import { NEUTRAL, modelColor } from './palette.ts';
import { formatWords } from './words.ts';
import { UserError } from '../errors.ts';

/** One model's predicted class indices for the same images, in the same order as the other model's. */
export interface ModelPredictions {
  model: string;
  predictions: ArrayLike<number>;
}

/**
 * Where two models disagree: for every pair of classes (first model says a, second says b, a ≠ b)
 * how many images got that pair, the classes named on the axes. The title gives the total; an
 * empty chart means they always agree. `format` gives the classes (default: the ten digits).
 *
 * @example
 * const spec = disagreementChart({ model: 'mlp', predictions: mlp.testPredictions }, { model: 'cnn', predictions: cnn.testPredictions }, 'test', format);
 */
export function disagreementChart(first: ModelPredictions, second: ModelPredictions, dataName = 'test', format: ImageFormat = MNIST_FORMAT): TopLevelSpec {
  const n = first.predictions.length;
  if (second.predictions.length !== n) {
    throw new UserError(`disagreementChart: ${first.model} has ${n} predictions but ${second.model} has ${second.predictions.length}`);
  }
  const classes = format.classes.length;
  for (const { model, predictions } of [first, second]) {
    for (let i = 0; i < n; i++) {
      const p = predictions[i];
      if (!(Number.isInteger(p) && p >= 0 && p < classes)) {
        throw new UserError(`disagreementChart: prediction ${p} of ${model} is not a class index (the format has ${classes} classes)`);
      }
    }
  }
  const counts = new Map<number, number>();
  let disagreements = 0;
  for (let i = 0; i < n; i++) {
    const a = first.predictions[i];
    const b = second.predictions[i];
    if (a === b) continue;
    disagreements++;
    counts.set(a * classes + b, (counts.get(a * classes + b) ?? 0) + 1);
  }
  const values = [...counts].map(([pair, count]) => ({ first: Math.floor(pair / classes), second: pair % classes, count }));
  const most = Math.max(1, ...counts.values());
  const share = n ? ((100 * disagreements) / n).toFixed(2) : '0';
  const layout = matrixLayout(format);
  const side = layout.step * layout.names.length;
  const axisScale = { domain: layout.names };
  const words = formatWords(format);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `Where ${first.model} and ${second.model} disagree`,
      subtitle: `${disagreements.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} ${dataName} ${words.items} (${share}%) get different labels`,
    },
    config: CHART_CONFIG,
    width: side,
    height: side,
    data: { values },
    transform: [classNameLookup(format, 'first', 'firstClass'), classNameLookup(format, 'second', 'secondClass')],
    encoding: {
      x: { field: 'secondClass', type: 'nominal', title: `${second.model} says`, scale: axisScale, axis: { ...classAxis(layout), orient: 'top', titleColor: modelColor(1) } },
      y: { field: 'firstClass', type: 'nominal', title: `${first.model} says`, scale: axisScale, axis: { ...classAxis(layout), labelAngle: 0, titleColor: modelColor(0) } },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: true },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            title: words.digits ? 'Digits' : 'Images',
            scale: { domain: [0, most], range: ['#ffffff', NEUTRAL], interpolate: 'rgb' },
          },
        },
      },
      ...(layout.step >= MIN_CELL_FOR_COUNTS
        ? [
            {
              mark: { type: 'text', fontSize: layout.step >= 24 ? 9 : 8 },
              encoding: {
                text: { field: 'count', type: 'quantitative' },
                color: { condition: { test: `datum.count > ${0.6 * most}`, value: '#ffffff' }, value: NEUTRAL },
              },
            } as const,
          ]
        : []),
    ],
  };
}
