import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import { CLASSES, SIDE } from '../types.ts';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { correctCount, countScalars, type DigitModel, type StepResult } from './model.ts';
import { BatchNorm, Conv2d, Linear, type Layer } from './nn.ts';
import { ScheduledAdam } from './optimizer.ts';

/** Architecture and training settings of a {@link Cnn}; every one has a default. */
export interface CnnOptions {
  /** Output channels of each conv block (conv -> 2x2 max pool -> batch norm -> ReLU); default [24, 48]. */
  channels?: number[];
  /** Side of the square conv kernels (default 3). */
  kernelSize?: number;
  /** Units of the hidden dense layer (default 256). */
  hidden?: number;
  /** Dropout rate before the output layer (default 0.25). */
  dropout?: number;
  /** Adam's initial learning rate (default 1e-3). */
  learningRate?: number;
  /** Seed of the weight initialisers and dropout (default 0). */
  seed?: number;
}

const KIND = 'cnn';
const FORMAT = 'digit-flow-module';

interface ConvBlock {
  conv: Conv2d;
  norm: BatchNorm;
}

/**
 * A convolutional network written like a PyTorch module: it owns its layers' variables, `forward(x)`
 * maps images to logits, and `trainStep` is the explicit loop body — forward, loss, gradients,
 * optimiser step.
 *
 * @example
 * const cnn = new Cnn({ channels: [32, 64] });
 * const logits = cnn.forward(images, false); // [n, 10]
 */
export class Cnn implements DigitModel {
  readonly name = KIND;
  readonly inputShape = 'image' as const;
  readonly format: ImageFormat = MNIST_FORMAT;
  readonly options: Required<CnnOptions>;
  private readonly blocks: ConvBlock[];
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly optimizer: ScheduledAdam;
  private dropoutCalls = 0;

  constructor(options: CnnOptions = {}) {
    const { channels = [24, 48], kernelSize = 3, hidden = 256, dropout = 0.25, learningRate = 1e-3, seed = 0 } = options;
    const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
    if (channels.length === 0 || !channels.every(positive)) {
      throw new UserError(`cnn: channels must be a non-empty list of positive integers, got [${channels.join(', ')}]`);
    }
    if (SIDE >> channels.length < 1) throw new UserError(`cnn: channels has ${channels.length} blocks, at most 4 fit 28x28`);
    if (!positive(kernelSize)) throw new UserError(`cnn: kernelSize must be a positive integer, got ${kernelSize}`);
    if (!positive(hidden)) throw new UserError(`cnn: hidden must be a positive integer, got ${hidden}`);
    if (!(dropout >= 0 && dropout < 1)) throw new UserError(`cnn: dropout must be in [0, 1), got ${dropout}`);
    this.options = { channels, kernelSize, hidden, dropout, learningRate, seed };
    this.blocks = channels.map((out, i) => ({
      // No conv bias: batch norm's beta plays that part.
      conv: new Conv2d(i === 0 ? 1 : channels[i - 1], out, kernelSize, seed + i, false),
      norm: new BatchNorm(out),
    }));
    const side = SIDE >> channels.length;
    this.fc1 = new Linear(side * side * channels[channels.length - 1], hidden, seed + channels.length);
    this.fc2 = new Linear(hidden, CLASSES, seed + channels.length + 1, 1);
    this.optimizer = new ScheduledAdam(learningRate);
  }

  get learningRate(): number {
    return this.optimizer.rate;
  }

  set learningRate(value: number) {
    this.optimizer.rate = value;
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x as tf.Tensor4D;
      for (const { conv, norm } of this.blocks) {
        // Pool before normalising: max-pool commutes with ReLU, and batch norm on the pooled map costs
        // a quarter of the elementwise work, which dominates a training step on the CPU.
        h = tf.relu(norm.forward(tf.maxPool(conv.forward(h), 2, 2, 'valid'), training));
      }
      let z = tf.relu(this.fc1.forward(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D));
      if (training && this.options.dropout > 0) {
        z = tf.dropout(z, this.options.dropout, undefined, this.options.seed + this.dropoutCalls++) as tf.Tensor2D;
      }
      return this.fc2.forward(z);
    });
  }

  async trainStep(xs: tf.Tensor, ys: tf.Tensor2D): Promise<StepResult> {
    let correct: tf.Scalar | undefined;
    const { value, grads } = this.optimizer.computeGradients(() => {
      const logits = this.forward(xs, true);
      correct = tf.keep(correctCount(logits, ys));
      return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
    }, this.parameters());
    this.optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(grads);
    const [loss, hits] = await Promise.all([value.data(), correct!.data()]);
    value.dispose();
    correct!.dispose();
    return { loss: loss[0], accuracy: hits[0] / xs.shape[0] };
  }

  predict(xs: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.forward(xs, false)));
  }

  /**
   * Conv kernels, batch-norm gamma / beta and dense weights / biases, block by block then fc1, fc2;
   * the running statistics are left out.
   */
  parameters(): tf.Variable[] {
    return this.layers().flatMap(([, layer]) => layer.parameters());
  }

  stateVariables(): tf.Variable[] {
    return this.namedState().map(([, v]) => v);
  }

  parameterCount(): number {
    return countScalars(this.parameters());
  }

  /** Every state variable under a stable name such as `block0.norm.runningMean` or `fc1.weight`. */
  namedState(): Array<[string, tf.Variable]> {
    return this.layers().flatMap(([prefix, layer]) =>
      layer.named().map(([name, v]): [string, tf.Variable] => [`${prefix}.${name}`, v]),
    );
  }

  async save(dir: string): Promise<void> {
    const { data, specs } = await tf.io.encodeWeights(this.namedState().map(([name, tensor]) => ({ name, tensor })));
    await fileSystemHandler(dir).save({
      format: FORMAT,
      generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
      modelTopology: { kind: KIND, options: this.options },
      userDefinedMetadata: { kind: KIND },
      weightSpecs: specs,
      weightData: data,
    });
  }

  dispose(): void {
    tf.dispose(this.stateVariables());
    this.optimizer.dispose();
  }

  private layers(): Array<[string, Layer]> {
    return [
      ...this.blocks.flatMap(({ conv, norm }, i): Array<[string, Layer]> => [
        [`block${i}.conv`, conv],
        [`block${i}.norm`, norm],
      ]),
      ['fc1', this.fc1],
      ['fc2', this.fc2],
    ];
  }
}

/** Restores a CNN saved by `Cnn.save`: same options, every state variable from weights.bin. */
export async function loadCnn(dir: string): Promise<Cnn> {
  const artifacts = await fileSystemHandler(dir).load();
  const topology = artifacts.modelTopology as { kind?: string; options?: CnnOptions } | undefined;
  if (topology?.kind !== KIND || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new UserError(`${dir}/model.json: not a saved cnn (modelTopology.kind is ${topology?.kind})`);
  }
  const cnn = new Cnn(topology.options);
  const saved = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    for (const [name, variable] of cnn.namedState()) {
      const value = saved[name];
      if (!value || !tf.util.arraysEqual(value.shape, variable.shape)) {
        throw new UserError(`${dir}/weights.bin: weight ${name} missing or not of shape [${variable.shape.join(', ')}]`);
      }
      variable.assign(value);
    }
  } catch (error) {
    cnn.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(saved));
  }
  return cnn;
}
