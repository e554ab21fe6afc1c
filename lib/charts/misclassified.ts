import type { TopLevelSpec } from 'vega-lite';
import type { Misclassified } from '../types.ts';
import { digitGridChart } from './digitGrid.ts';
import { modelColor } from './palette.ts';

/** A misclassified digit with its pixels (784 grey levels). */
export interface MisclassifiedDigit extends Misclassified {
  pixels: ArrayLike<number>;
}

/**
 * A gallery of one model's mistakes, in its colour: each digit with its true label and, in red,
 * what the model said (with its confidence), so a reader sees whether the errors are excusable.
 *
 * @example
 * const spec = misclassifiedChart('cnn', 1, digits, 'test');
 */
export function misclassifiedChart(
  model: string,
  modelIndex: number,
  digits: readonly MisclassifiedDigit[],
  dataName: string,
  total = digits.length,
): TopLevelSpec {
  const shown = digits.length < total ? `the ${digits.length} most confident of ${total}` : `all ${total}`;
  return digitGridChart(
    digits.map((d) => ({
      id: d.id,
      pixels: d.pixels,
      label: d.label,
      predictions: [{ model, label: d.predicted, confidence: d.confidence }],
    })),
    {
      title: `${model}: misclassified ${dataName} digits`,
      subtitle: `${shown}; black: true label, red: prediction and its probability`,
      titleColor: modelColor(modelIndex),
      columns: 10,
    },
  );
}
