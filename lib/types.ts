import type * as tf from '@tensorflow/tfjs';

/** Side of a digit image in pixels; every image is SIDE x SIDE, grey levels 0–255. */
export const SIDE = 28;
/** Pixels per digit image (28 x 28). */
export const PIXELS = SIDE * SIDE;
/** Number of classes (digits 0–9). */
export const CLASSES = 10;

/** One Kaggle Digit Recognizer row. `id` is the 1-based row number (Kaggle's ImageId). */
export interface DigitRecord {
  id: number;
  label?: number;
  pixels: Uint8Array;
}

/** A digit record whose pixels are scaled to 0–1 (see `normalize()`). */
export interface NormalizedDigit {
  id: number;
  label?: number;
  pixels: Float32Array;
}

/**
 * One batch of tensors. `xs` is [n, 784] or [n, 28, 28, 1] float32 in 0–1, `ys` is [n, 10] one-hot
 * (absent for unlabelled data), `ids` the records' ids in batch order. Whoever receives a batch owns
 * its tensors and must dispose them (see `disposeBatch`).
 */
export interface Batch {
  xs: tf.Tensor;
  ys?: tf.Tensor2D;
  ids: Int32Array;
}

/** Shape of the model input: flat 784 or 28x28x1 image. */
export type InputShape = 'flat' | 'image';

/** Training progress, emitted by the `train` operator. */
export type TrainEvent = BatchEvent | EpochEvent | DoneEvent;

export interface BatchEvent {
  type: 'batch';
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  samplesPerSec: number;
}

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

export interface EpochEvent extends EpochStats {
  type: 'epoch';
}

export interface DoneEvent {
  type: 'done';
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
}

/** Per-class precision / recall / F1 and support (true count). */
export interface ClassMetrics {
  label: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

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
  parameters(): tf.Variable[];
  /** Logits [n, 10]; `training` turns on dropout / batch-norm batch statistics. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D;
}
