import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, batchNormTrainOp } from './batchNormKernel.ts';

/** A tfjs-layers LayerVariable as the batch-norm layer uses it. */
interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): unknown;
}

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

type LayerCall = (this: BatchNormalizationInternals, inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: unknown }) => tf.Tensor | tf.Tensor[];

/**
 * tfjs-layers' BatchNormalization training pass over the last axis as the fused kernels
 * {@link batchNormTrainOp} runs them, or undefined for what it does not take (inference, another
 * axis, no gamma or beta, a backend without the kernels). The layer's own path records moments, the
 * normalisation and their autodiff: about 40 kernels a layer in a step, against 2 here. The moving
 * averages are updated with tfjs-layers' own arithmetic.
 */
function fusedTrainingCall(layer: BatchNormalizationInternals, inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: unknown }): tf.Tensor | undefined {
  const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  const { gamma, beta } = layer;
  if (!kwargs?.training || input === undefined || input.dtype !== 'float32' || input.rank < 2 || !gamma || !beta) return undefined;
  if (layer.axis !== -1 && layer.axis !== input.rank - 1) return undefined;
  if (!tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend())) return undefined;
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

let installed = false;

/**
 * Makes tfjs-layers' BatchNormalization layers (`tf.layers.batchNormalization`) train through the
 * fused batch-norm kernels on a backend that has them, and through their own code elsewhere and at
 * inference. Called once when the native backend is registered.
 */
export function installFusedLayersBatchNorm(): void {
  if (installed) return;
  installed = true;
  // The registered class, not a new layer: constructing one would advance tfjs's layer-name counters.
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization;
  if (!registered) return;
  const prototype = registered[0].prototype as unknown as { call: LayerCall };
  const original = prototype.call;
  prototype.call = function (this: BatchNormalizationInternals, inputs, kwargs) {
    return fusedTrainingCall(this, inputs, kwargs) ?? original.call(this, inputs, kwargs);
  };
}
