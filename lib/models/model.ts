import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { InputShape, Module } from '../types.ts';
import { inputShape } from '../data/pixels.ts';
import { imageFormat, MNIST_FORMAT, type ImageClass, type ImageFormat, type ImageSize } from '../data/format.ts';

/** Mean loss and accuracy of one training step's batch. */
export interface StepResult {
  loss: number;
  accuracy: number;
}

/**
 * What every digit model implements, so `train`, `predict` and the CLI treat the built-in models and a
 * user's own alike. A model is built by its constructor (or a `create...` function) and restored by
 * `loadModel(dir)`; it owns its variables until `dispose()`.
 */
export interface DigitModel extends Module {
  /** Short name used in file names and reports ('mlp', 'cnn', ...). */
  readonly name: string;
  /** The xs shape its batches must have. */
  readonly inputShape: InputShape;
  /** The images it takes (width, height, channels) and the classes it predicts, in index order. */
  readonly format: ImageFormat;
  /** The optimiser's learning rate; `train` sets it per batch when a schedule is given. */
  learningRate: number;
  /** One optimisation step (forward, loss, gradients, update) on a batch; does not dispose xs / ys. */
  trainStep(xs: tf.Tensor, ys: tf.Tensor2D): Promise<StepResult>;
  /** Class probabilities [n, classes] in inference mode; the caller disposes the result. */
  predict(xs: tf.Tensor): tf.Tensor2D;
  /** Number of trainable scalars. */
  parameterCount(): number;
  /**
   * All state that defines the model's output: parameters plus non-trained state such as batch-norm
   * running statistics. Snapshots (early stopping) copy and restore exactly these.
   */
  stateVariables(): tf.Variable[];
  /**
   * Saves model.json + weights.bin into `dir` (created if missing); model.json records `format` as
   * `userDefinedMetadata.format` (see `savedFormat`).
   */
  save(dir: string): Promise<void>;
  /** Frees every variable the model (and its optimiser) holds. */
  dispose(): void;
}

/** Sum of the sizes of the given variables. */
export function countScalars(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}

/** How many rows' arg-max of `scores` (logits or probabilities) matches the one-hot `ys`. */
export function correctCount(scores: tf.Tensor2D, ys: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), tf.argMax(ys, 1)), 'float32')));
}

/**
 * `xs` reshaped to what a model with `shape` input expects for images of `size`: [n, pixels] or
 * [n, height, width, channels].
 */
export function toInputShape(xs: tf.Tensor, shape: InputShape, size: ImageSize): tf.Tensor {
  return tf.reshape(xs, inputShape(xs.shape[0], shape, size));
}

/** How model.json records a model's {@link ImageFormat}: plain JSON, under `userDefinedMetadata.format`. */
export interface SavedFormat {
  width: number;
  height: number;
  channels: number;
  classes: ImageClass[];
}

/** The JSON a model saves of its format, so that loading gives back an equal one (`sameFormat`). */
export function formatJson(format: ImageFormat): SavedFormat {
  const { width, height, channels } = format;
  return { width, height, channels, classes: format.classes.map(({ label, name }) => ({ label, name })) };
}

/**
 * The format recorded in a saved model's `userDefinedMetadata` (written by {@link formatJson}).
 * Models saved before formats were recorded could only be MNIST's, so an absent one is
 * `MNIST_FORMAT`; a malformed one is a `UserError` naming `file`, because a model that silently took
 * the wrong image size or class order would predict garbage.
 *
 * @example
 * const format = savedFormat(net.getUserDefinedMetadata(), join(dir, 'model.json'));
 */
export function savedFormat(metadata: unknown, file: string): ImageFormat {
  const saved = typeof metadata === 'object' && metadata !== null ? (metadata as { format?: unknown }).format : undefined;
  if (saved === undefined) return MNIST_FORMAT;
  const bad = (why: string): UserError => new UserError(`${file}: userDefinedMetadata.format is malformed: ${why}`);
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) throw bad(`expected an object, got ${JSON.stringify(saved)}`);
  const { width, height, channels, classes } = saved as Record<string, unknown>;
  for (const [key, value] of Object.entries({ width, height, channels })) {
    if (typeof value !== 'number') throw bad(`${key} must be a number, got ${JSON.stringify(value)}`);
  }
  if (!Array.isArray(classes)) throw bad(`classes must be a list of { label, name }, got ${JSON.stringify(classes)}`);
  const checked = classes.map((c: unknown, k): ImageClass => {
    const { label, name } = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if (typeof label !== 'string' || typeof name !== 'string') throw bad(`class ${k} must be { label, name } texts, got ${JSON.stringify(c)}`);
    return { label, name };
  });
  try {
    return imageFormat({ width: width as number, height: height as number, channels: channels as number, classes: checked });
  } catch (error) {
    if (error instanceof UserError) throw bad(error.message.replace(/^imageFormat: /, ''));
    throw error;
  }
}
