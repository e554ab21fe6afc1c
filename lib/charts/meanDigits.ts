import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { imageGridChart } from './digitGrid.ts';
import { formatWords } from './words.ts';

/** The mean image of one class: `pixelCount(format)` mean values (0–255), stored as the images are. */
export interface MeanImage {
  /** The class index. */
  label: number;
  count: number;
  pixels: ArrayLike<number>;
}

/** The digits' name for {@link MeanImage}. */
export type MeanDigit = MeanImage;

/**
 * The average image of each class, one tile per class captioned with its name, at the data's size
 * and colour: the "typical" image of each class, blurred where its images differ.
 *
 * @example
 * const spec = meanImagesChart(means, train.format); // means from meanImages(train), grouped by label
 */
export function meanImagesChart(means: readonly MeanImage[], format: ImageFormat): TopLevelSpec {
  const words = formatWords(format);
  const total = means.map((m) => m.count).reduce((a, b) => a + b, 0).toLocaleString('en-US');
  const value = format.channels === 3 ? 'colour' : 'grey level';
  return imageGridChart(
    means.map((m) => ({ id: m.label, pixels: m.pixels, label: m.label, caption: format.classes[m.label]?.name ?? String(m.label) })),
    {
      title: `Mean image of each ${words.kind}`,
      subtitle: `average ${value} of every pixel over the class (${total} images)`,
      columns: 10,
      format,
    },
  );
}

/**
 * The average image of each digit: {@link meanImagesChart} for the Digit Recognizer.
 *
 * @example
 * const spec = meanDigitsChart(means); // means from meanDigits(train), grouped by label
 */
export function meanDigitsChart(means: readonly MeanDigit[]): TopLevelSpec {
  return meanImagesChart(means, MNIST_FORMAT);
}
