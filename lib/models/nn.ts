import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, batchNormTrainOp } from '../backend/native/batchNormKernel.ts';

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

  /** Convolves images [n, h, w, in] into [n, h, w, out] (same height and width), plus the bias if any. */
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

  /** Maps [n, inFeatures] to [n, outFeatures]: x·weight + bias, no activation. */
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

  /**
   * Normalises `x` per channel (last axis) and scales / shifts it by gamma / beta, then applies a
   * ReLU when `relu` (one fused op where the backend has one). With `training`, uses the batch's
   * statistics and moves the running averages towards them by `1 - momentum`; otherwise uses the
   * running averages and changes nothing.
   */
  forward<T extends tf.Tensor>(x: T, training: boolean, relu = false): T {
    if (!training) {
      const y = tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as T;
      return relu ? tf.tidy(() => tf.relu(y)) : y;
    }
    const { y, mean, variance } = normalizeBatch(x, this.gamma, this.beta, this.epsilon, { relu });
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, this.momentum), tf.mul(mean, 1 - this.momentum)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, this.momentum), tf.mul(variance, 1 - this.momentum)));
    });
    tf.dispose([mean, variance]);
    return y;
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

/** Options of {@link normalizeBatch}. */
export interface NormalizeBatchOptions {
  /** Apply a ReLU to the output (default false); fused into the same op where the backend can. */
  relu?: boolean;
}

/** The output of `normalizeBatch` and the batch statistics it used (the caller disposes them). */
export interface NormalizedBatch<T extends tf.Tensor> {
  y: T;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch normalisation with the batch's own statistics over every axis but the last, as one op whose
 * gradient is the closed form
 *   dx = γ·rstd/n · (n·dy − Σdy − x̂·Σ(dy·x̂)),  dγ = Σ(dy·x̂),  dβ = Σdy.
 * Left to autodiff, the same forward pass (moments, subtract, scale, shift) records a dozen
 * broadcasting ops whose gradients cost twice as much as these; and sums, not means, because a sum
 * over the leading axes is one pass where a mean first transposes its input.
 *
 * On a backend with a fused kernel for it (the native backend), the forward pass (ReLU included) is
 * one kernel and so is the gradient.
 *
 * @example
 * const { y, mean, variance } = normalizeBatch(h, gamma, beta, 1e-5); // h: [batch, height, width, channels]
 * const activated = normalizeBatch(h, gamma, beta, 1e-5, { relu: true }).y; // relu(batch norm)
 */
export function normalizeBatch<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  options: NormalizeBatchOptions = {},
): NormalizedBatch<T> {
  const relu = options.relu ?? false;
  if (tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend())) return batchNormTrainOp(x, gamma, beta, { epsilon, relu });
  const normalized = normalizeBatchOps(x, gamma, beta, epsilon);
  if (!relu) return normalized;
  const y = tf.relu(normalized.y) as T;
  normalized.y.dispose();
  return { ...normalized, y };
}

/** {@link normalizeBatch} from tfjs's own kernels, on any backend. */
function normalizeBatchOps<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): NormalizedBatch<T> {
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const count = x.size / x.shape[x.shape.length - 1];
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, shift] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const batchMean = tf.keep(tf.div<tf.Tensor1D>(tf.sum(input, axes), count));
    const centred = tf.sub(input, batchMean);
    const batchVariance = tf.keep(tf.div<tf.Tensor1D>(tf.sum(tf.square(centred), axes), count));
    [mean, variance] = [batchMean, batchVariance];
    const rstd = tf.rsqrt(tf.add(batchVariance, epsilon));
    const normed = tf.mul(centred, rstd);
    save([normed, rstd, scale]);
    return {
      value: tf.add(tf.mul(normed, scale), shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedNormed, savedRstd, savedScale] = saved;
        const dShift = tf.sum(dy, axes);
        const dScale = tf.sum(tf.mul(dy, savedNormed), axes);
        const dx = tf.mul(
          tf.sub(tf.sub(tf.mul(dy, count), dShift), tf.mul(savedNormed, dScale)),
          tf.div(tf.mul(savedScale, savedRstd), count),
        );
        return [dx, dScale, dShift];
      },
    };
  });
  const y = normalize(x, gamma, beta) as T;
  return { y, mean: mean!, variance: variance! };
}
