import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { classCount, describeSize, imageFormat, MNIST_FORMAT, pixelCount, sizeFromPixelCount, type ImageFormat, type ImageSize } from '../data/format.ts';
import { UserError } from '../errors.ts';
import type { InputShape } from '../types.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { countScalars, formatJson, savedFormat, type DigitModel, type StepResult } from './model.ts';
import { ScheduledAdam, type AdamBetas } from './optimizer.ts';

/** Options of {@link fromLayersModel}. */
export interface LayersModelOptions {
  /** Short name used in file names and reports (`submission-<name>.csv`, the report's legend). */
  name: string;
  /** Adam's initial learning rate; a schedule in `train` changes it per batch (default 1e-3). */
  learningRate?: number;
  /**
   * The images the model takes and the classes it predicts; its input and output shapes are checked
   * against it. Default: read from those shapes, with classes labelled '0'..'K-1'.
   */
  format?: ImageFormat;
}

/** The `kind` a wrapped layers model records in its model.json, for `loadModel`. */
const KIND = 'layers';

/**
 * Any tfjs layers model, built with your own `tf.sequential` / `tf.model`, as a {@link DigitModel}:
 * it then trains with `train` / `fit` / `trainModel`, predicts and evaluates like the built-in models,
 * saves with `save(dir)` and comes back with `loadModel(dir)`. The model takes flat [n, pixels] or
 * image [n, height, width, channels] input (read from its input shape) and must end in a softmax
 * over the classes, [n, classes]; it is compiled here with Adam and categorical cross-entropy.
 *
 * Pass the data set's `format` to have the shapes checked against it and the class labels and names
 * carried along. Without it the format is inferred: the image size from the input ([n, 784] is
 * 28x28 grey, [n, 3072] 32x32 RGB; a flat input that is neither a square nor three squares needs
 * `format`), and K classes labelled '0'..'K-1' from the output.
 *
 * @example
 * const format = imageFormat({ width: 32, height: 32, channels: 3, classes: ['cat', 'dog', 'frog'] });
 * const net = tf.sequential({
 *   layers: [
 *     tf.layers.flatten({ inputShape: [32, 32, 3] }),
 *     tf.layers.dense({ units: 64, activation: 'relu' }),
 *     tf.layers.dense({ units: 3, activation: 'softmax' }),
 *   ],
 * });
 * const mine = fromLayersModel(net, { name: 'tiny', format });
 * of(trainSet).pipe(train(mine, { epochs: 3, batchSize: 64 })).subscribe(console.log);
 */
export function fromLayersModel(net: tf.LayersModel, options: LayersModelOptions): LayersDigitModel {
  if (!/^[\w.-]+$/.test(options.name ?? '')) {
    throw new UserError(`fromLayersModel: name must be a non-empty word of letters, digits, '_', '.' or '-' (it names files), got ${JSON.stringify(options.name)}`);
  }
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new UserError(`fromLayersModel: learningRate must be a positive number, got ${learningRate}`);
  }
  const { inputShape, format } = layersShapes(net, options.format, 'fromLayersModel');
  return new LayersDigitModel(net, options.name, inputShape, learningRate, format);
}

/**
 * The input shape of a one-input, one-output layers model and the format it serves: `format` itself
 * once the model's input ([n, pixels] or [n, height, width, channels]) and output ([n, classes]) are
 * checked against it, or, without one, the format the shapes imply. `where` starts every error
 * message (a function's name, or the model.json a loader read).
 */
export function layersShapes(net: tf.LayersModel, format: ImageFormat | undefined, where: string): { inputShape: InputShape; format: ImageFormat } {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) {
    throw new UserError(`${where}: the model must have one input and one output, it has ${net.inputs.length} and ${net.outputs.length}`);
  }
  const input = net.inputs[0].shape.slice(1);
  const output = net.outputs[0].shape.slice(1);
  const shown = (dims: ReadonlyArray<number | null>): string => `[n, ${dims.map((d) => d ?? '?').join(', ')}]`;
  if (format) {
    const flat = [pixelCount(format)];
    const image = [format.height, format.width, format.channels];
    const inputShape = sameDims(input, flat) ? 'flat' : sameDims(input, image) ? 'image' : undefined;
    if (!inputShape) {
      throw new UserError(
        `${where}: the model's input is ${shown(input)}, but the format's ${describeSize(format)} images need ${shown(flat)} or ${shown(image)}`,
      );
    }
    if (!sameDims(output, [classCount(format)])) {
      throw new UserError(`${where}: the model's output is ${shown(output)}, but the format has ${classCount(format)} classes: ${shown([classCount(format)])}`);
    }
    return { inputShape, format };
  }
  if (output.length !== 1 || !isCount(output[0])) {
    throw new UserError(`${where}: the model's output must be [n, classes] class probabilities, it is ${shown(output)}`);
  }
  let size: ImageSize | undefined;
  let inputShape: InputShape;
  if (input.length === 1 && isCount(input[0])) {
    inputShape = 'flat';
    size = sizeFromPixelCount(input[0]);
    if (!size) {
      throw new UserError(
        `${where}: the model's input ${shown(input)} is neither a square of grey levels (784 = 28x28) nor three squares of RGB (3072 = 32x32x3): pass its format`,
      );
    }
  } else if (input.length === 3 && input.every(isCount)) {
    inputShape = 'image';
    const [height, width, channels] = input as number[];
    size = { width, height, channels };
  } else {
    throw new UserError(`${where}: the model's input must be [n, pixels] or [n, height, width, channels] of fixed size, it is ${shown(input)}`);
  }
  try {
    return { inputShape, format: imageFormat({ ...size, classes: output[0] as number }) };
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${where}: the model's shapes ${shown(input)} -> ${shown(output)} are no image format: ${error.message}`);
    throw error;
  }
}

/** A Dropout layer (or a subclass such as SpatialDropout1D) given a seed; tfjs keeps the seed in a public field. */
function isSeededDropout(layer: tf.layers.Layer): layer is tf.layers.Layer & { seed: number } {
  return ['Dropout', 'SpatialDropout1D'].includes(layer.getClassName()) && typeof (layer as { seed?: unknown }).seed === 'number';
}

function isCount(dim: number | null): dim is number {
  return typeof dim === 'number' && dim > 0;
}

function sameDims(dims: ReadonlyArray<number | null>, expected: readonly number[]): boolean {
  return dims.length === expected.length && dims.every((d, i) => d === expected[i]);
}

/** A tfjs layers model behind the {@link DigitModel} contract; made by {@link fromLayersModel}. */
export class LayersDigitModel implements DigitModel {
  private readonly optimizer: ScheduledAdam;
  /** Training steps taken, for the dropout seeds. */
  private steps = 0;

  /** Use {@link fromLayersModel}, which checks the model's shapes and the options. */
  constructor(
    /** The wrapped model, for `summary()` or anything else tfjs offers. */
    readonly model: tf.LayersModel,
    /** Short name used in file names and reports. */
    readonly name: string,
    /** The xs shape its batches must have, read from the model's input. */
    readonly inputShape: InputShape,
    learningRate: number,
    /** The images it takes and the classes it predicts, matching the model's input and output. */
    readonly format: ImageFormat = MNIST_FORMAT,
    /** Adam's decay rates (default 0.9 and 0.999). */
    adam: AdamBetas = {},
  ) {
    this.optimizer = new ScheduledAdam(learningRate, adam.beta1, adam.beta2);
    model.compile({ optimizer: this.optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  }

  /** Adam's current learning rate. */
  get learningRate(): number {
    return this.optimizer.rate;
  }

  /** Sets Adam's learning rate for the next steps. */
  set learningRate(value: number) {
    this.optimizer.rate = value;
  }

  /** The trainable variables. */
  parameters(): tf.Variable[] {
    return this.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Every variable, trainable or not (batch-norm statistics). */
  stateVariables(): tf.Variable[] {
    return this.model.weights.map((w) => w.read() as tf.Variable);
  }

  /** Log-probabilities: softmax of them gives back the model's probabilities, so they serve as logits. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D {
    return tf.tidy(() => tf.log(tf.clipByValue(this.model.apply(x, { training }) as tf.Tensor2D, 1e-7, 1)));
  }

  /**
   * One `trainOnBatch` step. tfjs's Dropout draws the same mask on every call when it has a seed, so
   * a seeded dropout layer would drop the same units at every step: for the step, each one gets a seed
   * of its own (its seed plus the step times the number of such layers, as `Cnn` counts its dropout
   * calls) and keeps the seed it was given for saving.
   */
  async trainStep(xs: tf.Tensor, ys: tf.Tensor2D): Promise<StepResult> {
    const seeded = this.model.layers.filter(isSeededDropout);
    const seeds = seeded.map((layer) => layer.seed);
    seeded.forEach((layer, i) => (layer.seed = seeds[i] + this.steps * seeded.length));
    this.steps++;
    try {
      const [loss, accuracy] = (await this.model.trainOnBatch(xs, ys)) as number[];
      return { loss, accuracy };
    } finally {
      seeded.forEach((layer, i) => (layer.seed = seeds[i]));
    }
  }

  /** Class probabilities [n, classes]; the caller disposes them. */
  predict(xs: tf.Tensor): tf.Tensor2D {
    return this.model.predict(xs) as tf.Tensor2D;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return countScalars(this.parameters());
  }

  /** Saves model.json + weights.bin into `dir`, with what `loadModel` needs to restore this wrapper. */
  async save(dir: string): Promise<void> {
    this.model.setUserDefinedMetadata({ kind: KIND, name: this.name, learningRate: this.learningRate, format: formatJson(this.format) });
    await this.model.save(fileSystemHandler(dir));
  }

  /** Frees the model's and the optimiser's variables. */
  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

/** Restores a model saved by {@link LayersDigitModel.save}; `loadModel` calls it for kind 'layers'. */
export async function loadLayersModel(dir: string): Promise<LayersDigitModel> {
  const net = await tf.loadLayersModel(fileSystemHandler(dir));
  try {
    const file = join(dir, 'model.json');
    const meta = (net.getUserDefinedMetadata() ?? {}) as { name?: string; learningRate?: number };
    const { format } = layersShapes(net, savedFormat(meta, file), file);
    return fromLayersModel(net, { name: meta.name ?? KIND, learningRate: meta.learningRate, format });
  } catch (error) {
    net.dispose();
    throw error;
  }
}
