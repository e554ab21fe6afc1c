import { table, type ColumnTable } from 'arquero';
import type { ImageDataset } from '../data/dataset.ts';
import { pixelCount } from '../data/format.ts';

/**
 * One row per image with what can be said of it in a few numbers: `id`, `label` (the class index,
 * labelled data only; its name is `dataset.format.classes[label].name`), `meanIntensity` (mean of
 * all its values 0–255, channels included), `inkCoverage` (share of pixel positions with a non-zero
 * value in any channel, 0–1), `bboxWidth` and `bboxHeight` (size in pixels of the smallest box
 * holding every such pixel, 0 for a blank image). Works at the size and colour of
 * `dataset.format`. Computed in one pass over the typed arrays, so 42,000 images take well under a
 * second, and the result is a small table the other EDA verbs work on.
 *
 * @example
 * const summaries = imageSummaries(train);
 * classDistribution(summaries, train.format).print();
 */
export function imageSummaries(dataset: ImageDataset): ColumnTable {
  const { width, height, channels } = dataset.format;
  const values = pixelCount(dataset.format);
  const positions = width * height;
  const n = dataset.size;
  const meanIntensity = new Float64Array(n);
  const inkCoverage = new Float64Array(n);
  // up to MAX_SIDE: a Uint8Array would wrap past 255
  const bboxWidth = new Uint16Array(n);
  const bboxHeight = new Uint16Array(n);
  const { pixels } = dataset;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let ink = 0;
    let top = height;
    let bottom = -1;
    let left = width;
    let right = -1;
    let at = i * values;
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        let pixelSum = 0;
        for (let c = 0; c < channels; c++) pixelSum += pixels[at++];
        if (pixelSum === 0) continue;
        sum += pixelSum;
        ink++;
        if (row < top) top = row;
        if (row > bottom) bottom = row;
        if (col < left) left = col;
        if (col > right) right = col;
      }
    }
    meanIntensity[i] = sum / values;
    inkCoverage[i] = ink / positions;
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
