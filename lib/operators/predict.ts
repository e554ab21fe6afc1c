import * as tf from '@tensorflow/tfjs';
import { map, type OperatorFunction } from 'rxjs';
import { disposeBatch } from '../data/dataset.ts';
import { UserError } from '../errors.ts';
import { toInputShape, type DigitModel } from '../models/model.ts';
import { checkBatchShape } from '../data/check.ts';
import type { Batch } from '../types.ts';
import { classCount } from '../data/format.ts';
import { shiftImages, type ImageShift } from '../data/shift.ts';

/** Options of {@link predict}. */
export interface PredictOptions {
  /**
   * Test-time augmentation: the probabilities are the mean of the model's predictions on the images
   * moved by each of these shifts (for example `TTA_SHIFTS`); default one plain prediction.
   */
  shifts?: readonly ImageShift[];
}

/** A batch of predictions, rows in the batch's order. */
export interface Prediction {
  ids: Int32Array;
  /** Predicted class index per row (arg-max of the probabilities). */
  labels: Uint8Array;
  /** Number of classes: the width of `probabilities`. */
  classes: number;
  /** Class probabilities, row-major [n, classes]. */
  probabilities: Float32Array;
  /** True labels, when the batch had them. */
  truth?: Uint8Array;
}

/**
 * Runs `model` in inference mode over batches and emits, per batch, the predicted labels and class
 * probabilities (plus the true labels when the batch has `ys`). Each batch's tensors are disposed
 * here; flat or image batches both fit either model. With `shifts`, each image is predicted once
 * per shift and the probabilities averaged (test-time augmentation).
 *
 * @example
 * testSet.batches({ batchSize: 1000 }).pipe(predict(cnn), toArray())
 * testSet.batches({ batchSize: 1000 }).pipe(predict(cnn, { shifts: TTA_SHIFTS }), toArray())
 */
export function predict(model: DigitModel, options: PredictOptions = {}): OperatorFunction<Batch, Prediction> {
  const { shifts } = options;
  if (shifts && shifts.length === 0) throw new UserError('predict: shifts is empty: give at least one shift, or none for a plain prediction');
  return map((batch: Batch) => {
    try {
      checkBatchShape('predict', batch, model.format, classCount(model.format));
      const [probabilities, labels, truth] = tf.tidy(() => {
        const probs = shifts ? averagedOverShifts(model, batch.xs, shifts) : model.predict(toInputShape(batch.xs, model.inputShape, model.format));
        return [probs, tf.argMax(probs, 1), batch.ys ? tf.argMax(batch.ys, 1) : undefined];
      });
      const prediction: Prediction = {
        ids: batch.ids,
        labels: Uint8Array.from(labels.dataSync()),
        classes: classCount(model.format),
        probabilities: Float32Array.from(probabilities.dataSync()),
        truth: truth ? Uint8Array.from(truth.dataSync()) : undefined,
      };
      tf.dispose([probabilities, labels, truth]);
      return prediction;
    } finally {
      disposeBatch(batch);
    }
  });
}

/** The mean of the model's probabilities over the images moved by each shift. */
function averagedOverShifts(model: DigitModel, xs: tf.Tensor, shifts: readonly ImageShift[]): tf.Tensor2D {
  return tf.tidy(() => {
    const images = toInputShape(xs, 'image', model.format) as tf.Tensor4D;
    let sum: tf.Tensor2D | undefined;
    for (const shift of shifts) {
      const probs = model.predict(toInputShape(shiftImages(images, shift), model.inputShape, model.format));
      sum = sum ? (tf.add(sum, probs) as tf.Tensor2D) : probs;
    }
    return tf.div(sum!, shifts.length) as tf.Tensor2D;
  });
}

/** Joins batches of predictions (of one model, so one class count) into one, in order (e.g. for writing a submission). */
export function concatPredictions(parts: readonly Prediction[]): Prediction {
  const total = parts.reduce((n, p) => n + p.ids.length, 0);
  const classes = parts[0]?.classes ?? 0;
  if (parts.some((p) => p.classes !== classes)) throw new UserError('concatPredictions: the parts have different class counts');
  const joined: Prediction = {
    ids: new Int32Array(total),
    labels: new Uint8Array(total),
    classes,
    probabilities: new Float32Array(total * classes),
    truth: parts.every((p) => p.truth) ? new Uint8Array(total) : undefined,
  };
  let offset = 0;
  for (const part of parts) {
    joined.ids.set(part.ids, offset);
    joined.labels.set(part.labels, offset);
    joined.probabilities.set(part.probabilities, offset * classes);
    joined.truth?.set(part.truth!, offset);
    offset += part.ids.length;
  }
  return joined;
}
