import type { TopLevelSpec } from 'vega-lite';
import { digitGridChart } from './digitGrid.ts';

/** The mean image of one class: 784 mean grey levels (0–255). */
export interface MeanDigit {
  label: number;
  count: number;
  pixels: ArrayLike<number>;
}

/**
 * The average image of each digit, one tile per class: the "typical" 0, 1, ... of the data set,
 * blurred where writers differ.
 *
 * @example
 * const spec = meanDigitsChart(means); // means from meanDigitImages(meanDigits(train))
 */
export function meanDigitsChart(means: readonly MeanDigit[]): TopLevelSpec {
  return digitGridChart(
    means.map((m) => ({ id: m.label, pixels: m.pixels, caption: String(m.label) })),
    { title: 'Mean image of each digit', subtitle: `average grey level of every pixel over the class (${means.map((m) => m.count).reduce((a, b) => a + b, 0).toLocaleString('en-US')} images)`, columns: 10, zoom: 2 },
  );
}
