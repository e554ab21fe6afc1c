import * as tf from '@tensorflow/tfjs';
import { batchNormTrainOp } from './batchNormKernel.ts';
import { denseTrainOp } from './denseKernel.ts';

/** A tfjs-layers LayerVariable as the layers below use it. */
interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): unknown;
}

/** What a layer's `call` receives. */
type CallArgs = [inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: unknown }];

/** The parts of tfjs-layers' BatchNormalization its training pass reads (private in its typings). */
interface BatchNormalizationInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

/** The parts of tfjs-layers' Dense its call reads (private in its typings). */
interface DenseInternals {
  kernel: LayerVariableLike & { trainable: boolean };
  bias: LayerVariableLike | null;
  trainable: boolean;
  activation: { getClassName(): string };
  invokeCallHook(...args: CallArgs): void;
}

/** Whether the native backend runs now: on any other backend the layers run their own code. */
function nativeRuns(): boolean {
  // The name backend.ts registers; importing its constant would make the two modules import each other.
  return tf.getBackend() === 'native';
}

/** The one tensor a single-input layer takes, or undefined. */
function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  return Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
}

/**
 * tfjs-layers' BatchNormalization training pass over the last axis as the fused kernels
 * {@link batchNormTrainOp} runs them, or undefined for what it does not take (inference, another
 * axis, no gamma or beta). The layer's own path records moments, the normalisation and their
 * autodiff: about 40 kernels a layer in a step, against 2 here. The moving averages are updated with
 * tfjs-layers' own arithmetic.
 */
function batchNormTrainingCall(layer: BatchNormalizationInternals, ...[inputs, kwargs]: CallArgs): tf.Tensor | undefined {
  const input = single(inputs);
  const { gamma, beta } = layer;
  if (!kwargs?.training || input === undefined || input.dtype !== 'float32' || input.rank < 2 || !gamma || !beta) return undefined;
  if (layer.axis !== -1 && layer.axis !== input.rank - 1) return undefined;
  if (!nativeRuns()) return undefined;
  return tf.tidy(() => {
    const { y, mean, variance } = batchNormTrainOp(input, gamma.read(), beta.read(), { epsilon: layer.epsilon, relu: false });
    const decay = 1 - layer.momentum;
    for (const [variable, value] of [[layer.movingMean, mean], [layer.movingVariance, variance]] as const) {
      tf.tidy(() => {
        const original = variable.read();
        variable.write(tf.sub(original, tf.mul(tf.sub(original, value), decay)));
      });
    }
    tf.dispose([mean, variance]);
    return y;
  });
}

/**
 * tfjs-layers' Dense with no activation or ReLU, under a gradient tape, as one {@link denseTrainOp}
 * kernel, or undefined outside that case. Under a tape tfjs unfuses the layer into product, bias add
 * and ReLU (3 kernels forward, 5 back); with no activation it keeps its fused product, whose gradient
 * computes the input's gradient whether or not anything needs it: for an MLP's first layer, a wasted
 * [batch, units] x [units, inputs] product. The fused kernel's gradient computes only what is needed,
 * in one call, with the same addon calls: the same bits.
 */
function denseTrainingCall(layer: DenseInternals, ...[inputs, kwargs]: CallArgs): tf.Tensor | undefined {
  const input = single(inputs);
  if (tf.engine().state.gradientDepth === 0 || input === undefined || input.rank !== 2 || input.dtype !== 'float32') return undefined;
  const activation = layer.activation.getClassName();
  if ((activation !== 'linear' && activation !== 'relu') || input.size === 0 || !nativeRuns()) return undefined;
  const kernel = layer.kernel.read() as tf.Tensor2D;
  const bias = layer.bias ? (layer.bias.read() as tf.Tensor1D) : null;
  if (kernel.dtype !== 'float32' || kernel.size === 0 || (bias && bias.dtype !== 'float32')) return undefined;
  return tf.tidy(() => {
    layer.invokeCallHook(inputs, kwargs);
    return denseTrainOp(input as tf.Tensor2D, kernel, bias, activation, layer.trainable && layer.kernel.trainable);
  });
}

/** Makes `className`'s call take `replacement` wherever it returns a tensor, and the layer's own code elsewhere. */
function patchCall<L>(className: string, replacement: (layer: L, ...args: CallArgs) => tf.Tensor | undefined): void {
  // The registered class, not a new layer: constructing one would advance tfjs's layer-name counters.
  const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!registered) return;
  const prototype = registered[0].prototype as unknown as { call: (this: L, ...args: CallArgs) => tf.Tensor | tf.Tensor[] };
  const original = prototype.call;
  prototype.call = function (this: L, ...args: CallArgs) {
    return replacement(this, ...args) ?? original.apply(this, args);
  };
}

let installed = false;

/**
 * Makes tfjs-layers' layers train the native backend's way while it runs, and their own way on
 * other backends and at inference: BatchNormalization (`tf.layers.batchNormalization`) through the
 * fused batch-norm kernels, Dense with no activation or ReLU through the fused dense kernel (see
 * above). Called once when the native backend is registered.
 */
export function installLayersTrainingCalls(): void {
  if (installed) return;
  installed = true;
  patchCall('BatchNormalization', batchNormTrainingCall);
  patchCall('Dense', denseTrainingCall);
}
