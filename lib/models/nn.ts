import * as tf from '@tensorflow/tfjs';

/**
 * Small PyTorch-style building blocks: each owns its variables, lists them by name, and has a
 * `forward`. Variables get no engine names because tfjs names are global and two models would clash;
 * `named()` gives the stable names used in saved files instead.
 */
export interface Layer {
  /** Trainable variables. */
  parameters(): tf.Variable[];
  /** Every variable that defines the output (parameters + buffers), with names unique in the layer. */
  named(): Array<[string, tf.Variable]>;
}

/** A variable holding `init()`; the initial tensor itself is freed (tf.variable would keep it alive). */
function variableOf(init: () => tf.Tensor, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(init(), trainable));
}

/** Normal init with variance gain / fanIn: 2 (He) suits ReLU inputs, 1 (LeCun) the output layer. */
function scaledNormal(shape: number[], fanIn: number, seed: number, gain = 2): tf.Variable {
  return variableOf(() => tf.randomNormal(shape, 0, Math.sqrt(gain / fanIn), 'float32', seed));
}

/** 2-D convolution, 'same' padding, stride 1, NHWC. */
export class Conv2d implements Layer {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(inChannels: number, outChannels: number, kernelSize: number, seed: number, withBias = true) {
    this.kernel = scaledNormal([kernelSize, kernelSize, inChannels, outChannels], kernelSize * kernelSize * inChannels, seed);
    if (withBias) this.bias = variableOf(() => tf.zeros([outChannels]));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.kernel as tf.Tensor4D, 1, 'same');
    return this.bias ? tf.add(y, this.bias) : y;
  }

  parameters(): tf.Variable[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  named(): Array<[string, tf.Variable]> {
    return this.bias ? [['kernel', this.kernel], ['bias', this.bias]] : [['kernel', this.kernel]];
  }
}

/** Fully connected layer. */
export class Linear implements Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(inFeatures: number, outFeatures: number, seed: number, gain = 2) {
    this.weight = scaledNormal([inFeatures, outFeatures], inFeatures, seed, gain);
    this.bias = variableOf(() => tf.zeros([outFeatures]));
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight as tf.Tensor2D), this.bias);
  }

  parameters(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  named(): Array<[string, tf.Variable]> {
    return [['weight', this.weight], ['bias', this.bias]];
  }
}

/**
 * Batch normalisation over every axis but the last (channels): batch statistics while training (which
 * also update the running averages), running averages at inference.
 */
export class BatchNorm implements Layer {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(
    channels: number,
    private readonly momentum = 0.9,
    private readonly epsilon = 1e-5,
  ) {
    this.gamma = variableOf(() => tf.ones([channels]));
    this.beta = variableOf(() => tf.zeros([channels]));
    this.runningMean = variableOf(() => tf.zeros([channels]), false);
    this.runningVar = variableOf(() => tf.ones([channels]), false);
  }

  forward<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training) {
      return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as T;
    }
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const { mean, variance } = tf.moments(x, axes);
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, this.momentum), tf.mul(mean, 1 - this.momentum)));
    this.runningVar.assign(tf.add(tf.mul(this.runningVar, this.momentum), tf.mul(variance, 1 - this.momentum)));
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    return tf.add(tf.mul(normed, this.gamma), this.beta) as T;
  }

  parameters(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  named(): Array<[string, tf.Variable]> {
    return [
      ['gamma', this.gamma],
      ['beta', this.beta],
      ['runningMean', this.runningMean],
      ['runningVar', this.runningVar],
    ];
  }
}
