import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import type { Misclassified } from '../types.ts';
import { imageGridChart } from './digitGrid.ts';
import { modelColor } from './palette.ts';
import { formatWords } from './words.ts';

/** A misclassified image with its pixels (`pixelCount(format)` values 0–255). */
export interface MisclassifiedImage extends Misclassified {
  pixels: ArrayLike<number>;
}

/** The digits' name for {@link MisclassifiedImage}. */
export type MisclassifiedDigit = MisclassifiedImage;

/**
 * A gallery of one model's mistakes, in its colour: each image with its true class and, in red,
 * what the model said (with its confidence), so a reader sees whether the errors are excusable.
 * `format` gives the images' size and the class names (default: the Digit Recognizer's).
 *
 * @example
 * const spec = misclassifiedChart('cnn', 1, images, 'test', 120, train.format);
 */
export function misclassifiedChart(
  model: string,
  modelIndex: number,
  images: readonly MisclassifiedImage[],
  dataName: string,
  total: number = images.length,
  format: ImageFormat = MNIST_FORMAT,
): TopLevelSpec {
  const shown = images.length < total ? `the ${images.length} most confident of ${total}` : `all ${total}`;
  return imageGridChart(
    images.map((d) => ({
      id: d.id,
      pixels: d.pixels,
      label: d.label,
      predictions: [{ model, label: d.predicted, confidence: d.confidence }],
    })),
    {
      title: `${model}: misclassified ${dataName} ${formatWords(format).items}`,
      subtitle: `${shown}; black: true label, red: prediction and its probability`,
      titleColor: modelColor(modelIndex),
      columns: 10,
      format,
    },
  );
}
