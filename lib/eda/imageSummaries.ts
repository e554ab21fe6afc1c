import { table, type ColumnTable } from 'arquero';
import type { DigitDataset } from '../data/dataset.ts';
import { PIXELS, SIDE } from '../types.ts';

/**
 * One row per image with what can be said of it in a few numbers: `id`, `label` (labelled data
 * only), `meanIntensity` (mean grey level 0–255), `inkCoverage` (share of non-zero pixels, 0–1),
 * `bboxWidth` and `bboxHeight` (size in pixels of the smallest box holding every non-zero pixel,
 * 0 for a blank image). Computed in one pass over the typed arrays, so 42,000 images take well
 * under a second, and the result is a small table the other EDA verbs work on.
 *
 * @example
 * const summaries = imageSummaries(train);
 * labelDistribution(summaries).print();
 */
export function imageSummaries(dataset: DigitDataset): ColumnTable {
  const n = dataset.size;
  const meanIntensity = new Float64Array(n);
  const inkCoverage = new Float64Array(n);
  const bboxWidth = new Uint8Array(n);
  const bboxHeight = new Uint8Array(n);
  const { pixels } = dataset;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let ink = 0;
    let top = SIDE;
    let bottom = -1;
    let left = SIDE;
    let right = -1;
    const offset = i * PIXELS;
    for (let row = 0; row < SIDE; row++) {
      for (let col = 0; col < SIDE; col++) {
        const grey = pixels[offset + row * SIDE + col];
        if (grey === 0) continue;
        sum += grey;
        ink++;
        if (row < top) top = row;
        if (row > bottom) bottom = row;
        if (col < left) left = col;
        if (col > right) right = col;
      }
    }
    meanIntensity[i] = sum / PIXELS;
    inkCoverage[i] = ink / PIXELS;
    bboxWidth[i] = ink ? right - left + 1 : 0;
    bboxHeight[i] = ink ? bottom - top + 1 : 0;
  }
  return table({
    id: dataset.ids,
    ...(dataset.labels ? { label: dataset.labels } : {}),
    meanIntensity,
    inkCoverage,
    bboxWidth,
    bboxHeight,
  });
}
