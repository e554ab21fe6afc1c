import * as tf from '@tensorflow/tfjs';
import { CLASSES, PIXELS } from '../types.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { LayersDigitModel } from './layersModel.ts';
import { UserError } from '../errors.ts';

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
  /** Seed of the weight initialisers (default 0). */
  seed?: number;
}

const KIND = 'mlp';

/**
 * A multilayer perceptron built like the seed's Keras model, with the tfjs layers API: dense ReLU
 * layers (batch norm and dropout between them), a softmax output, compiled with Adam and categorical
 * cross-entropy, trained batch by batch with `trainOnBatch`.
 *
 * @example
 * const mlp = createMlp({ hidden: [512, 256] });
 * dataset$.pipe(train(mlp, { epochs: 20, batchSize: 128 })).subscribe(console.log);
 */
export function createMlp(options: MlpOptions = {}): MlpModel {
  const { hidden = [512, 256], dropout = 0.2, batchNorm = true, learningRate = 1e-3, seed = 0 } = options;
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
        inputShape: i === 0 ? [PIXELS] : undefined,
        useBias: !batchNorm,
        kernelInitializer,
      }),
    );
    if (batchNorm) model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed + i }));
  });
  model.add(tf.layers.dense({ units: CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }) }));
  // Softmax as its own layer so that `forward` can stop one layer short and hand out logits.
  model.add(tf.layers.activation({ activation: 'softmax' }));
  model.setUserDefinedMetadata({ kind: KIND, options: { hidden, dropout, batchNorm, learningRate, seed } });
  return new MlpModel(model, learningRate);
}

/** Loads an MLP saved by `MlpModel.save` (tfjs layers format). */
export async function loadMlp(dir: string): Promise<MlpModel> {
  const model = (await tf.loadLayersModel(fileSystemHandler(dir))) as tf.Sequential;
  const options = (model.getUserDefinedMetadata() as { options?: MlpOptions } | undefined)?.options;
  return new MlpModel(model, options?.learningRate ?? 1e-3);
}

/**
 * The MLP behind the {@link DigitModel} contract: a {@link LayersDigitModel} whose `forward` stops
 * before the softmax layer, and whose saved model.json records its options for `loadMlp`.
 */
export class MlpModel extends LayersDigitModel {
  /** The underlying Keras-style model, for users who want `fit`, `summary` or `evaluate`. */
  declare readonly model: tf.Sequential;

  /** Wraps a model built by {@link createMlp} (or restored by {@link loadMlp}). */
  constructor(model: tf.Sequential, learningRate: number) {
    super(model, KIND, 'flat', learningRate);
  }

  /** Logits [n, 10]: every layer but the final softmax. */
  override forward(x: tf.Tensor, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const layers = this.model.layers.slice(0, -1);
      return layers.reduce((h, layer) => layer.apply(h, { training }) as tf.Tensor, x) as tf.Tensor2D;
    });
  }

  /** Saves model.json + weights.bin into `dir`, with the options `createMlp` recorded. */
  override async save(dir: string): Promise<void> {
    await this.model.save(fileSystemHandler(dir));
  }
}
