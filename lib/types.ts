import type * as tf from '@tensorflow/tfjs';
import type { ImageFormat } from './data/format.ts';
import type { TrainingRecipe } from './models/recipes.ts';

/** One member of an ensemble, as the ensemble's metrics list it. */
export interface EnsembleMember {
  /** 1-based. */
  member: number;
  seed: number;
  validAccuracy: number;
  /** Held-out accuracy, when answers are known. */
  testAccuracy?: number;
  trainSeconds: number;
}

/**
 * How an ensemble's members did alone and how often they disagree: `validDisagreements` and
 * `testDisagreements` count the images on which not every member predicts the same class.
 */
export interface EnsembleSummary {
  members: EnsembleMember[];
  validDisagreements: number;
  testDisagreements: number;
}

/**
 * Side of an MNIST image in pixels.
 * @deprecated The size of a data set is in its {@link ImageFormat}; this is `MNIST_FORMAT.width`.
 */
export const SIDE = 28;
/**
 * Pixels per MNIST image (28 x 28).
 * @deprecated Use `pixelCount(format)`.
 */
export const PIXELS = SIDE * SIDE;
/**
 * Number of MNIST classes (digits 0–9).
 * @deprecated Use `classCount(format)`.
 */
export const CLASSES = 10;

/**
 * One image of a data set: `id` is the file's id column or the 1-based row number (Kaggle's
 * ImageId), `label` the class index into the data set's {@link ImageFormat} classes (absent for test
 * rows), `pixels` the grey levels (or RGB values, channels side by side) 0–255, row-major.
 */
export interface ImageRecord {
  id: number;
  label?: number;
  pixels: Uint8Array;
}

/** An image record whose pixels are scaled to 0–1 (see `normalize()`). */
export interface NormalizedImage {
  id: number;
  label?: number;
  pixels: Float32Array;
}

/** An {@link ImageRecord} of the Digit Recognizer; the same type under its flagship's name. */
export type DigitRecord = ImageRecord;
/** A {@link NormalizedImage} of the Digit Recognizer; the same type under its flagship's name. */
export type NormalizedDigit = NormalizedImage;

/**
 * One batch of tensors. `xs` is [n, pixels] ('flat') or [n, height, width, channels] ('image')
 * float32 in 0–1, `ys` is [n, classes] one-hot (absent for unlabelled data), `ids` the records' ids in
 * batch order. Whoever receives a batch owns its tensors and must dispose them (see `disposeBatch`).
 */
export interface Batch {
  xs: tf.Tensor;
  ys?: tf.Tensor2D;
  ids: Int32Array;
}

/** Shape of the model input: 'flat' [n, pixels] or 'image' [n, height, width, channels]. */
export type InputShape = 'flat' | 'image';

/** Training progress, emitted by the `train` operator. */
export type TrainEvent = BatchEvent | EpochEvent | DoneEvent;

/**
 * Progress after one training step. `loss` and `accuracy` are the means over this batch only;
 * `samplesPerSec` is the throughput of the epoch so far. `epoch` and `batch` count from 1.
 */
export interface BatchEvent {
  type: 'batch';
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  samplesPerSec: number;
}

/**
 * Scores of one finished epoch (counted from 1). `loss` and `accuracy` are means over the epoch's
 * training samples; `validLoss` / `validAccuracy` are set only when `train` was given a `valid`
 * dataset. `seconds` is the epoch's wall time including validation, `samplesPerSec` the training
 * throughput without it, and `learningRate` the optimiser's rate at the end of the epoch.
 */
export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  validLoss?: number;
  validAccuracy?: number;
  seconds: number;
  samplesPerSec: number;
  learningRate?: number;
}

/** Emitted by `train` once per epoch, after validation, with that epoch's {@link EpochStats}. */
export interface EpochEvent extends EpochStats {
  type: 'epoch';
}

/**
 * The last event of a training run, with the stats of every epoch in `history`. `bestEpoch` is the
 * epoch whose weights early stopping restored; without early stopping it is the epoch with the lowest
 * validation loss (the model keeps its last weights) or, without validation, the last epoch.
 * `stoppedEarly` is true when early stopping ended the run before `epochs`; `seconds` is the whole
 * run's wall time.
 */
export interface DoneEvent {
  type: 'done';
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
}

/** Per-class precision / recall / F1 and support (true count); `label` is the class index. */
export interface ClassMetrics {
  label: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * One row whose predicted class differs from its true `label`. `confidence` is the probability (0–1)
 * the model gave its wrong answer `predicted`, so confident mistakes can be told from close calls.
 */
export interface Misclassified {
  id: number;
  label: number;
  predicted: number;
  confidence: number;
}

/** Evaluation of predictions against known labels. */
export interface Evaluation {
  accuracy: number;
  count: number;
  /** confusion[trueLabel][predictedLabel] = count */
  confusion: number[][];
  perClass: ClassMetrics[];
  misclassified: Misclassified[];
}

/** What one trained model reports (written to metrics-<model>.json and, for all models, metrics.json). */
export interface ModelMetrics {
  model: string;
  backend: string;
  parameters: number;
  epochs: number;
  batchSize: number;
  /** The recipe it was trained with, as run (epochs and batch size included); absent in older files. */
  recipe?: TrainingRecipe;
  /** The seed of its initial weights, shuffles and augmentation; absent in older files. */
  seed?: number;
  /** When the model is an ensemble: its members and how they agree (the other fields are the ensemble's). */
  ensemble?: EnsembleSummary;
  history: EpochStats[];
  valid: Evaluation;
  /** Held-out test evaluation, only when answers are known (the embedded default). */
  test?: Evaluation;
  timings: {
    trainSeconds: number;
    predictSeconds: number;
    samplesPerSec: number;
  };
  /** Predicted labels for the test set in test order, for disagreement charts. */
  testPredictions?: number[];
}

/**
 * A PyTorch-style module: it owns its parameters as variables and maps a batch of inputs to logits.
 * Both models expose one, so the training loop and the multi-core trainer treat them alike.
 */
export interface Module {
  /**
   * The trainable variables, i.e. the ones the optimiser updates; non-trained state such as batch-norm
   * running statistics is left out.
   */
  parameters(): tf.Variable[];
  /** Logits [n, classes]; `training` turns on dropout / batch-norm batch statistics. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D;
}
