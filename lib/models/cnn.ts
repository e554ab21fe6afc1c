import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkSize, classCount, MNIST_FORMAT, type ImageFormat, type ImageSize } from '../data/format.ts';
import { fileSystemHandler } from './fileHandler.ts';
import { correctCount, countScalars, formatJson, savedFormat, type DigitModel, type StepResult } from './model.ts';
import { BatchNorm, Conv2d, Linear, type Layer } from './nn.ts';
import { ScheduledAdam } from './optimizer.ts';

/** Architecture and training settings of a {@link Cnn}; every one has a default. */
export interface CnnOptions {
  /**
   * Output channels of each conv block (conv -> 2x2 max pool -> batch norm -> ReLU); default
   * {@link cnnBlocksFor}(format), [24, 48] for 28x28.
   */
  channels?: number[];
  /**
   * Convolutions in each block (default 1). With more, each block opens with 'same' conv -> batch
   * norm -> ReLU layers at its full resolution before the conv that is pooled: deeper, at about that
   * many times the block's cost.
   */
  convsPerBlock?: number;
  /** Side of the square conv kernels (default 3). */
  kernelSize?: number;
  /** Units of the hidden dense layer (default 256). */
  hidden?: number;
  /** Dropout rate before the output layer (default 0.25). */
  dropout?: number;
  /** Adam's initial learning rate (default 1e-3). */
  learningRate?: number;
  /** Adam's decay rate of the gradient's running mean (default 0.9). */
  beta1?: number;
  /** Adam's decay rate of the squared gradient's running mean (default 0.999). */
  beta2?: number;
  /** Seed of the weight initialisers and dropout (default 0). */
  seed?: number;
  /**
   * The images it takes ([n, height, width, channels]) and the classes it predicts; default
   * `MNIST_FORMAT`. Without `channels`, the image size also chooses the number of blocks.
   */
  format?: ImageFormat;
}

/**
 * The shape of a {@link Cnn} a training recipe may set: its blocks, convolutions per block, hidden
 * units and dropout. What it leaves out is the default for the data's format.
 *
 * @example
 * const architecture: CnnArchitecture = { channels: [32, 64], convsPerBlock: 2, dropout: 0.4 };
 */
export type CnnArchitecture = Pick<CnnOptions, 'channels' | 'convsPerBlock' | 'hidden' | 'dropout'>;

const KIND = 'cnn';
const FORMAT = 'digit-flow-module';

/** Channels of the first default block; each further block doubles them, up to the cap. */
const FIRST_CHANNELS = 24;
/** Most channels a default block gets: past it, deeper blocks on big images would cost more than they give. */
const MAX_CHANNELS = 384;
/** A default block is added only while the previous one's output has more values than this. */
const MAX_FLAT_FEATURES = 2500;
/** ... and only if pooling again leaves both sides at least this. */
const MIN_POOLED_SIDE = 4;

/** Width and height of a feature map after `blocks` 2x2 'valid' max pools (each floors side / 2). */
function pooledSize(size: ImageSize, blocks: number): { width: number; height: number } {
  // Division rather than `>>`, which would wrap around for 32 or more blocks.
  const scale = 2 ** blocks;
  return { width: Math.floor(size.width / scale), height: Math.floor(size.height / scale) };
}

/**
 * The default conv-block channels of a {@link Cnn} for images of `size`: 24 channels in the first
 * block, doubling in each further one (capped at 384), and a further block added only while the
 * previous block's output has more than 2,500 values (height x width x channels) and pooling it
 * again keeps both sides at least 4. Each block's 2x2 max pool floors each side to half, so the
 * dense layer after the blocks gets a few thousand features whatever the image size: 28x28 gives
 * [24, 48] (7x7x48 = 2,352 features), 14x14 and 16x16 one block, 32x32 and 32x32x3 three (4x4x96),
 * 64x64 four (4x4x192). Images whose smaller side is below 2 cannot be pooled at all.
 *
 * @example
 * cnnBlocksFor({ width: 28, height: 28, channels: 1 }); // [24, 48]
 * cnnBlocksFor({ width: 32, height: 32, channels: 3 }); // [24, 48, 96]
 */
export function cnnBlocksFor(size: ImageSize): number[] {
  checkSize('cnn', size);
  if (Math.min(size.width, size.height) < 2) {
    throw new UserError(`cnn: ${size.width}x${size.height} images are too small for a conv block (its 2x2 max pool needs sides of at least 2)`);
  }
  const channels = [FIRST_CHANNELS];
  for (;;) {
    const last = channels[channels.length - 1];
    const { width, height } = pooledSize(size, channels.length);
    if (width * height * last <= MAX_FLAT_FEATURES || Math.min(width, height) >> 1 < MIN_POOLED_SIDE) return channels;
    channels.push(Math.min(2 * last, MAX_CHANNELS));
  }
}

/** Throws unless `blocks` 2x2 pools leave a feature map of at least 1x1, naming the size. */
function checkBlocksFit(size: ImageSize, blocks: number): void {
  const { width, height } = pooledSize(size, blocks);
  if (width >= 1 && height >= 1) return;
  const fit = Math.floor(Math.log2(Math.min(size.width, size.height)));
  throw new UserError(
    `cnn: ${blocks} blocks halve ${size.width}x${size.height} to ${width}x${height}: ` +
      (fit > 0 ? `at most ${fit} fit` : 'the images are too small for a 2x2 max pool'),
  );
}

interface ConvBlock {
  /** The block's convolutions before the pooled one, each followed by batch norm and ReLU. */
  inner: Array<{ conv: Conv2d; norm: BatchNorm }>;
  conv: Conv2d;
  norm: BatchNorm;
}

/**
 * Seeds of a block's inner convolutions start this far from the model's seed, so that adding them
 * leaves every other layer's seed as it was, and halfway between ensemble members' seeds (which
 * `memberSeed` spaces 1,000 apart), so that no member's inner conv draws another member's weights.
 */
const INNER_SEED_OFFSET = 500;

/**
 * A convolutional network written like a PyTorch module: it owns its layers' variables, `forward(x)`
 * maps images to logits, and `trainStep` is the explicit loop body — forward, loss, gradients,
 * optimiser step.
 *
 * It takes images of `format` ([n, height, width, channels]) through conv blocks — 'same' conv,
 * 2x2 max pool (each side floored to half), batch norm, ReLU — then a dense ReLU layer, dropout and
 * one output per class. With `convsPerBlock` above 1, each block opens with that many less one
 * 'same' conv -> batch norm -> ReLU layers at its full resolution. Without `channels` the image size
 * chooses the blocks, so that the dense layer gets a few thousand features whatever the size (see
 * {@link cnnBlocksFor}): keep adding blocks, 24 channels doubling each time, while the last output
 * has more than 2,500 values and another pool would leave both sides at least 4. For 28x28 that is
 * [24, 48], the flagship's measured architecture. Given `channels`, the blocks must leave at least 1x1.
 *
 * @example
 * const cnn = new Cnn({ channels: [32, 64] });
 * const deeper = new Cnn({ convsPerBlock: 2 }); // conv, conv, pool in each block
 * const logits = cnn.forward(images, false); // [n, 10]
 * const colour = new Cnn({ format: imageFormat({ width: 32, height: 32, channels: 3, classes: 5 }) }); // blocks [24, 48, 96]
 */
export class Cnn implements DigitModel {
  readonly name = KIND;
  readonly inputShape = 'image' as const;
  readonly format: ImageFormat;
  /** The settings it was built with, defaults filled in (`channels` as chosen for the format); saved in model.json. */
  readonly options: Required<Omit<CnnOptions, 'format'>>;
  private readonly blocks: ConvBlock[];
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly optimizer: ScheduledAdam;
  private dropoutCalls = 0;

  /** Builds the layers for `options.format` (default `MNIST_FORMAT`), each from its own seed. */
  constructor(options: CnnOptions = {}) {
    const { format = MNIST_FORMAT } = options;
    const { channels = cnnBlocksFor(format), convsPerBlock = 1, kernelSize = 3, hidden = 256, dropout = 0.25, learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, seed = 0 } = options;
    const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
    if (!Array.isArray(channels) || channels.length === 0 || !channels.every(positive)) {
      throw new UserError(`cnn: channels must be a non-empty list of positive integers, got [${Array.isArray(channels) ? channels.join(', ') : String(channels)}]`);
    }
    checkBlocksFit(format, channels.length);
    if (!positive(convsPerBlock)) throw new UserError(`cnn: convsPerBlock must be a positive integer, got ${convsPerBlock}`);
    if (!positive(kernelSize)) throw new UserError(`cnn: kernelSize must be a positive integer, got ${kernelSize}`);
    if (!positive(hidden)) throw new UserError(`cnn: hidden must be a positive integer, got ${hidden}`);
    if (!(dropout >= 0 && dropout < 1)) throw new UserError(`cnn: dropout must be in [0, 1), got ${dropout}`);
    this.format = format;
    this.options = { channels, convsPerBlock, kernelSize, hidden, dropout, learningRate, beta1, beta2, seed };
    this.blocks = channels.map((out, i) => {
      const inChannels = i === 0 ? format.channels : channels[i - 1];
      // No conv bias: batch norm's beta plays that part.
      const inner = Array.from({ length: convsPerBlock - 1 }, (_, j) => ({
        conv: new Conv2d(j === 0 ? inChannels : out, out, kernelSize, seed + INNER_SEED_OFFSET + i * convsPerBlock + j, false),
        norm: new BatchNorm(out),
      }));
      return { inner, conv: new Conv2d(convsPerBlock > 1 ? out : inChannels, out, kernelSize, seed + i, false), norm: new BatchNorm(out) };
    });
    const { width, height } = pooledSize(format, channels.length);
    this.fc1 = new Linear(width * height * channels[channels.length - 1], hidden, seed + channels.length);
    this.fc2 = new Linear(hidden, classCount(format), seed + channels.length + 1, 1);
    this.optimizer = new ScheduledAdam(learningRate, beta1, beta2);
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
      for (const { inner, conv, norm } of this.blocks) {
        for (const layer of inner) h = layer.norm.forward(layer.conv.forward(h), training, true);
        // Pool before normalising: max-pool commutes with ReLU, and batch norm on the pooled map costs
        // a quarter of the elementwise work, which dominates a training step on the CPU.
        h = norm.forward(tf.maxPool(conv.forward(h), 2, 2, 'valid'), training, true);
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
      userDefinedMetadata: { kind: KIND, format: formatJson(this.format) },
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
      ...this.blocks.flatMap(({ inner, conv, norm }, i): Array<[string, Layer]> => [
        ...inner.flatMap(({ conv: innerConv, norm: innerNorm }, j): Array<[string, Layer]> => [
          [`block${i}.inner${j}.conv`, innerConv],
          [`block${i}.inner${j}.norm`, innerNorm],
        ]),
        [`block${i}.conv`, conv],
        [`block${i}.norm`, norm],
      ]),
      ['fc1', this.fc1],
      ['fc2', this.fc2],
    ];
  }
}

/**
 * Restores a CNN saved by `Cnn.save`: same options and format (`MNIST_FORMAT` for one saved before
 * formats were recorded), every state variable from weights.bin.
 */
export async function loadCnn(dir: string): Promise<Cnn> {
  const artifacts = await fileSystemHandler(dir).load();
  const topology = artifacts.modelTopology as { kind?: string; options?: Omit<CnnOptions, 'format'> } | undefined;
  if (topology?.kind !== KIND || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new UserError(`${dir}/model.json: not a saved cnn (modelTopology.kind is ${topology?.kind})`);
  }
  const format = savedFormat(artifacts.userDefinedMetadata, join(dir, 'model.json'));
  // Saved options always name their channels, so a later change of the default rule cannot alter a saved model.
  const cnn = new Cnn({ ...topology.options, format });
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
