import * as tf from '@tensorflow/tfjs';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { CLASSES, type InputShape } from '../types.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { countScalars, type DigitModel, type StepResult } from './model.ts';
import { ScheduledAdam } from './optimizer.ts';

/** Options of {@link fromLayersModel}. */
export interface LayersModelOptions {
  /** Short name used in file names and reports (`submission-<name>.csv`, the report's legend). */
  name: string;
  /** Adam's initial learning rate; a schedule in `train` changes it per batch (default 1e-3). */
  learningRate?: number;
}

/** The `kind` a wrapped layers model records in its model.json, for `loadModel`. */
const KIND = 'layers';

/**
 * Any tfjs layers model, built with your own `tf.sequential` / `tf.model`, as a {@link DigitModel}:
 * it then trains with `train` / `fit` / `trainModel`, predicts and evaluates like the built-in models,
 * saves with `save(dir)` and comes back with `loadModel(dir)`. The model takes flat [n, 784] or image
 * [n, 28, 28, 1] input (read from its input shape) and must end in a softmax over 10 classes; it is
 * compiled here with Adam and categorical cross-entropy.
 *
 * @example
 * const net = tf.sequential({
 *   layers: [tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
 * });
 * const mine = fromLayersModel(net, { name: 'tiny' });
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
  return new LayersDigitModel(net, options.name, inputShapeOf(net), learningRate);
}

function inputShapeOf(net: tf.LayersModel): InputShape {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) {
    throw new UserError(`fromLayersModel: the model must have one input and one output, it has ${net.inputs.length} and ${net.outputs.length}`);
  }
  const input = net.inputs[0].shape.slice(1).join(',');
  const output = net.outputs[0].shape.slice(1).join(',');
  if (output !== String(CLASSES)) throw new UserError(`fromLayersModel: the model's output must be [n, ${CLASSES}] class probabilities, it is [n, ${output}]`);
  if (input === '784') return 'flat';
  if (input === '28,28,1') return 'image';
  throw new UserError(`fromLayersModel: the model's input must be [n, 784] or [n, 28, 28, 1], it is [n, ${input}]`);
}

/** A tfjs layers model behind the {@link DigitModel} contract; made by {@link fromLayersModel}. */
export class LayersDigitModel implements DigitModel {
  private readonly optimizer: ScheduledAdam;
  readonly format: ImageFormat = MNIST_FORMAT;

  /** Use {@link fromLayersModel}, which checks the model's shapes and the options. */
  constructor(
    /** The wrapped model, for `summary()` or anything else tfjs offers. */
    readonly model: tf.LayersModel,
    /** Short name used in file names and reports. */
    readonly name: string,
    /** The xs shape its batches must have, read from the model's input. */
    readonly inputShape: InputShape,
    learningRate: number,
  ) {
    this.optimizer = new ScheduledAdam(learningRate);
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

  /** One `trainOnBatch` step. */
  async trainStep(xs: tf.Tensor, ys: tf.Tensor2D): Promise<StepResult> {
    const [loss, accuracy] = (await this.model.trainOnBatch(xs, ys)) as number[];
    return { loss, accuracy };
  }

  /** Class probabilities [n, 10]; the caller disposes them. */
  predict(xs: tf.Tensor): tf.Tensor2D {
    return this.model.predict(xs) as tf.Tensor2D;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return countScalars(this.parameters());
  }

  /** Saves model.json + weights.bin into `dir`, with what `loadModel` needs to restore this wrapper. */
  async save(dir: string): Promise<void> {
    this.model.setUserDefinedMetadata({ kind: KIND, name: this.name, learningRate: this.learningRate });
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
  const meta = (net.getUserDefinedMetadata() ?? {}) as { name?: string; learningRate?: number };
  return fromLayersModel(net, { name: meta.name ?? KIND, learningRate: meta.learningRate });
}
