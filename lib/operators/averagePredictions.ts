import { UserError } from '../errors.ts';
import type { Prediction } from './predict.ts';

/**
 * The mean of several models' predictions of the same images: probabilities averaged row by row, the
 * label the arg-max of the mean (ties go to the lower class index). The parts must list the same ids
 * in the same order with the same class count; the true labels are kept from the first.
 *
 * @example
 * const ensemble = averagePredictions([cnn1Prediction, cnn2Prediction, cnn3Prediction]);
 */
export function averagePredictions(parts: readonly Prediction[]): Prediction {
  const [first] = parts;
  if (!first) throw new UserError('averagePredictions: no predictions to average');
  for (const part of parts) {
    if (part.classes !== first.classes || part.ids.length !== first.ids.length || part.ids.some((id, row) => id !== first.ids[row])) {
      throw new UserError('averagePredictions: the predictions are not of the same images in the same order with the same classes');
    }
  }
  const { classes } = first;
  const rows = first.ids.length;
  const probabilities = new Float32Array(rows * classes);
  // summed in float64 so that the mean does not depend on the members' order more than rounding must
  const sum = new Float64Array(classes);
  const labels = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    sum.fill(0);
    for (const part of parts) {
      for (let c = 0; c < classes; c++) sum[c] += part.probabilities[row * classes + c];
    }
    let best = 0;
    for (let c = 0; c < classes; c++) {
      probabilities[row * classes + c] = sum[c] / parts.length;
      if (sum[c] > sum[best]) best = c;
    }
    labels[row] = best;
  }
  return { ids: Int32Array.from(first.ids), labels, classes, probabilities, truth: first.truth && Uint8Array.from(first.truth) };
}

/** How many images the predictions do not all give the same label. */
export function disagreementCount(parts: readonly Prediction[]): number {
  const [first] = parts;
  if (!first) return 0;
  let count = 0;
  for (let row = 0; row < first.labels.length; row++) {
    if (parts.some((part) => part.labels[row] !== first.labels[row])) count++;
  }
  return count;
}
