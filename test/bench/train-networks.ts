import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../lib/models/createModel.ts';

/**
 * The two networks the issue fixes for the benchmark, built like Keras models, then the two models
 * `digits run` trains by default (batch norm, dropout; the CNN is the PyTorch-style module).
 */
export const NETWORKS = ['mlp', 'cnn', 'job-mlp', 'job-cnn'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** Samples per training step, in every configuration and in PyTorch's baseline. */
export const BATCH = 128;
/** Steps run before the clock starts (JIT, allocation, thread pools starting), everywhere. */
export const WARMUP_STEPS = 3;

/** Whether a network takes flat [batch, 784] rows or [batch, 28, 28, 1] images. */
export function takesImages(name: NetworkName): boolean {
  return name === 'cnn' || name === 'job-cnn';
}

/** MLP 784-512-256-10 (relu), flat input. */
function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, dense 128 relu, dense 10. */
function cnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

export interface Trainer {
  /** One Adam step on the batch; resolves with the loss once the step's work is done. */
  step(xs: tf.Tensor, ys: tf.Tensor2D): Promise<number>;
  dispose(): void;
}

/** A network with its Adam optimiser; a step is forward, softmax cross-entropy, gradients, update. */
export function makeTrainer(name: NetworkName): Trainer {
  if (name === 'job-mlp' || name === 'job-cnn') {
    const digitModel = createModel(name === 'job-mlp' ? 'mlp' : 'cnn');
    return {
      step: async (xs, ys) => (await digitModel.trainStep(xs, ys)).loss,
      dispose: () => digitModel.dispose(),
    };
  }
  const model = name === 'mlp' ? mlp() : cnn();
  const optimizer = tf.train.adam(1e-3);
  return {
    async step(xs, ys) {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor2D) as tf.Scalar,
        true,
      )!;
      const value = (await loss.data())[0];
      loss.dispose();
      return value;
    },
    dispose() {
      model.dispose();
      optimizer.dispose();
    },
  };
}
