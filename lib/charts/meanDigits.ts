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
    means.map((m) => ({ id: m.label, pixels: m.pixels, caption: `${m.label} (n=${m.count})` })),
    { title: 'Mean image of each digit', subtitle: 'average grey level of every pixel over the class', columns: 10, zoom: 2 },
  );
}
