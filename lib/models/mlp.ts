import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { classCount, MNIST_FORMAT, pixelCount, type ImageFormat } from '../data/format.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { layersShapes, LayersDigitModel } from './layersModel.ts';
import { formatJson, savedFormat } from './model.ts';
import { UserError } from '../errors.ts';
import type { AdamBetas } from './optimizer.ts';

/** Architecture and training settings of {@link createMlp}; every one has a default. */
export interface MlpOptions {
  /** Units of each hidden dense ReLU layer (default [512, 256]). */
  hidden?: number[];
  /** Dropout rate after each hidden layer, 0 for none (default 0.2). */
  dropout?: number;
  /** Batch normalisation before each ReLU (default true). */
  batchNorm?: boolean;
  /** Adam's initial learning rate (default 1e-3). */
  learningRate?: number;
  /** Adam's decay rate of the gradient's running mean (default 0.9). */
  beta1?: number;
  /** Adam's decay rate of the squared gradient's running mean (default 0.999). */
  beta2?: number;
  /** Seed of the weight initialisers (default 0). */
  seed?: number;
  /**
   * The images it takes (input: width x height x channels values) and the classes it predicts (one
   * output each); default `MNIST_FORMAT`, 784 inputs and 10 classes.
   */
  format?: ImageFormat;
}

const KIND = 'mlp';

/**
 * A multilayer perceptron built like the seed's Keras model, with the tfjs layers API: dense ReLU
 * layers (batch norm and dropout between them), a softmax output, compiled with Adam and categorical
 * cross-entropy, trained batch by batch with `trainOnBatch`. It takes flat images of `format`'s size
 * and has one output per class.
 *
 * @example
 * const mlp = createMlp({ hidden: [512, 256] });
 * dataset$.pipe(train(mlp, { epochs: 20, batchSize: 128 })).subscribe(console.log);
 * const fashion = createMlp({ format: dataset.format }); // e.g. 28x28 clothes, or 32x32x3 colour
 */
export function createMlp(options: MlpOptions = {}): MlpModel {
  const { hidden = [512, 256], dropout = 0.2, batchNorm = true, learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, seed = 0, format = MNIST_FORMAT } = options;
  if (hidden.length === 0 || !hidden.every((units) => Number.isInteger(units) && units > 0)) {
    throw new UserError(`mlp: hidden must be a non-empty list of positive integers, got [${hidden.join(', ')}]`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new UserError(`mlp: dropout must be in [0, 1), got ${dropout}`);
  const model = tf.sequential({ name: KIND });
  hidden.forEach((units, i) => {
    const kernelInitializer = tf.initializers.heNormal({ seed: seed + i });
    model.add(
      tf.layers.dense({
        units,
        inputShape: i === 0 ? [pixelCount(format)] : undefined,
        useBias: !batchNorm,
        kernelInitializer,
      }),
    );
    if (batchNorm) model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed + i }));
  });
  model.add(tf.layers.dense({ units: classCount(format), kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }) }));
  // Softmax as its own layer so that `forward` can stop one layer short and hand out logits.
  model.add(tf.layers.activation({ activation: 'softmax' }));
  model.setUserDefinedMetadata({ kind: KIND, options: { hidden, dropout, batchNorm, learningRate, beta1, beta2, seed } });
  return new MlpModel(model, learningRate, format, { beta1, beta2 });
}

/**
 * Loads an MLP saved by `MlpModel.save` (tfjs layers format), with the format its model.json
 * records (`MNIST_FORMAT` for one saved before formats were recorded).
 */
export async function loadMlp(dir: string): Promise<MlpModel> {
  const model = (await tf.loadLayersModel(fileSystemHandler(dir))) as tf.Sequential;
  try {
    const file = join(dir, 'model.json');
    const metadata = model.getUserDefinedMetadata() as { options?: Omit<MlpOptions, 'format'> } | undefined;
    const { format } = layersShapes(model, savedFormat(metadata, file), file);
    const { learningRate = 1e-3, beta1, beta2 } = metadata?.options ?? {};
    return new MlpModel(model, learningRate, format, { beta1, beta2 });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * The MLP behind the {@link DigitModel} contract: a {@link LayersDigitModel} whose `forward` stops
 * before the softmax layer, and whose saved model.json records its options for `loadMlp`.
 */
export class MlpModel extends LayersDigitModel {
  /** The underlying Keras-style model, for users who want `fit`, `summary` or `evaluate`. */
  declare readonly model: tf.Sequential;

  /**
   * Wraps a model built by {@link createMlp} (or restored by {@link loadMlp}) whose input and output
   * fit `format` (default `MNIST_FORMAT`).
   */
  constructor(model: tf.Sequential, learningRate: number, format: ImageFormat = MNIST_FORMAT, adam: AdamBetas = {}) {
    super(model, KIND, 'flat', learningRate, format, adam);
  }

  /** Logits [n, classes]: every layer but the final softmax. */
  override forward(x: tf.Tensor, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const layers = this.model.layers.slice(0, -1);
      return layers.reduce((h, layer) => layer.apply(h, { training }) as tf.Tensor, x) as tf.Tensor2D;
    });
  }

  /** Saves model.json + weights.bin into `dir`, with the options `createMlp` recorded and the format. */
  override async save(dir: string): Promise<void> {
    // Set here rather than at creation so that a model loaded from an older file saves its format too.
    this.model.setUserDefinedMetadata({ ...this.model.getUserDefinedMetadata(), kind: KIND, format: formatJson(this.format) });
    await this.model.save(fileSystemHandler(dir));
  }
}
