import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, requireFloats, type NativeKernelArgs } from './kernelArgs.ts';

/**
 * FusedBatchNorm (batch normalisation with given statistics, as tf.layers.batchNormalization and
 * inference use it) over the last axis, when the mean, variance, offset and scale are one value per
 * channel; other broadcasts take the cpu kernel.
 */
function batchNorm({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.x);
  const mean = floatsOf(backend, inputs.mean);
  const variance = floatsOf(backend, inputs.variance);
  if (!x || !mean || !variance) return undefined;
  const shape = inputs.x!.shape;
  const channels = shape.at(-1) ?? 1;
  const perChannel = (info: tf.TensorInfo | undefined): Float32Array | null | undefined => {
    if (info === undefined) return null;
    const values = floatsOf(backend, info);
    return values && values.length === channels && info.shape.length <= 1 ? values : undefined;
  };
  const [m, v, offset, scale] = [inputs.mean, inputs.variance, inputs.offset, inputs.scale].map(perChannel);
  if (!m || !v || offset === undefined || scale === undefined || shape.length === 0) return undefined;
  const out = backend.allocFloats(x.length);
  const epsilon = (attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001;
  backend.addon.batchNorm(x, m, v, offset, scale, out, x.length / channels, channels, epsilon);
  return output(backend, shape, out);
}

/** The batch-norm kernel of the native backend. */
export const BATCH_NORM_KERNELS: tf.KernelConfig[] = [nativeKernel(tf.FusedBatchNorm, batchNorm)];

/** Kernel names of the fused training batch norm (+ ReLU); only backends that register them run the fused path. */
export const BATCH_NORM_TRAIN = 'DigitFlowBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'DigitFlowBatchNormTrainGrad';

/** Attributes of {@link BATCH_NORM_TRAIN} and {@link BATCH_NORM_TRAIN_GRAD}. */
export interface BatchNormTrainAttrs {
  epsilon: number;
  /** Apply (and differentiate) a ReLU after the normalisation. */
  relu: boolean;
}

function channelsOf(info: tf.TensorInfo): { rows: number; channels: number } {
  const channels = info.shape.at(-1) ?? 1;
  return { rows: tf.util.sizeFromShape(info.shape) / Math.max(channels, 1), channels };
}

/** inputs x, gamma, beta → outputs y, mean, variance (batch statistics over every axis but the last). */
function batchNormTrain(args: NativeKernelArgs): tf.TensorInfo[] {
  const { backend, inputs } = args;
  const { epsilon, relu } = args.attrs as unknown as BatchNormTrainAttrs;
  const { rows, channels } = channelsOf(inputs.x!);
  const y = backend.allocFloats(rows * channels);
  const mean = backend.allocFloats(channels);
  const variance = backend.allocFloats(channels);
  const [x, gamma, beta] = ['x', 'gamma', 'beta'].map((name) => requireFloats(args, name, BATCH_NORM_TRAIN));
  backend.addon.batchNormTrain(x, gamma, beta, y, mean, variance, rows, channels, epsilon, relu);
  return [output(backend, inputs.x!.shape, y), output(backend, [channels], mean), output(backend, [channels], variance)];
}

/** inputs dy, x, y, gamma, mean, variance → outputs dx, dgamma, dbeta. */
function batchNormTrainGrad(args: NativeKernelArgs): tf.TensorInfo[] {
  const { backend, inputs } = args;
  const { epsilon, relu } = args.attrs as unknown as BatchNormTrainAttrs;
  const { rows, channels } = channelsOf(inputs.x!);
  const dx = backend.allocFloats(rows * channels);
  const dgamma = backend.allocFloats(channels);
  const dbeta = backend.allocFloats(channels);
  const [x, y, dy, gamma, mean, variance] = ['x', 'y', 'dy', 'gamma', 'mean', 'variance'].map((name) =>
    requireFloats(args, name, BATCH_NORM_TRAIN_GRAD),
  );
  backend.addon.batchNormTrainGrad(x, y, dy, gamma, mean, variance, dx, dgamma, dbeta, rows, channels, epsilon, relu);
  return [output(backend, inputs.x!.shape, dx), output(backend, [channels], dgamma), output(backend, [channels], dbeta)];
}

/** The fused training batch norm (forward and gradient) of the native backend. */
export const BATCH_NORM_TRAIN_KERNELS: tf.KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAIN, backendName: 'native', kernelFunc: batchNormTrain as unknown as tf.KernelFunc },
  { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'native', kernelFunc: batchNormTrainGrad as unknown as tf.KernelFunc },
];

/**
 * Batch normalisation with the batch's statistics as two fused kernels, {@link BATCH_NORM_TRAIN}
 * forward (with the ReLU when `attrs.relu`) and {@link BATCH_NORM_TRAIN_GRAD} as its closed-form
 * gradient, for a backend that registers them. Returns the output and the batch mean and variance
 * (kept out of any tidy: the caller disposes them).
 *
 * @example
 * const { y, mean, variance } = batchNormTrainOp(h, gamma, beta, { epsilon: 1e-3, relu: false });
 */
export function batchNormTrainOp<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  attrs: BatchNormTrainAttrs,
): { y: T; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, shift] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const named = attrs as unknown as tf.NamedAttrMap;
    const [y, batchMean, batchVariance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: input, gamma: scale, beta: shift }, named) as tf.Tensor[];
    [mean, variance] = [tf.keep(batchMean) as tf.Tensor1D, tf.keep(batchVariance) as tf.Tensor1D];
    save([input, y, scale, batchMean, batchVariance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedY, savedGamma, savedMean, savedVariance] = saved;
        const inputs = { dy, x: savedX, y: savedY, gamma: savedGamma, mean: savedMean, variance: savedVariance };
        return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, named) as tf.Tensor[];
      },
    };
  });
  const y = normalize(x, gamma, beta) as T;
  return { y, mean: mean!, variance: variance! };
}
