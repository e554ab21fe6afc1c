import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM, type FusedAdamAttrs } from './adamKernel.ts';

/** The parts of tfjs's AdamOptimizer the fused update reads and writes (private in its typings). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/**
 * tfjs's `AdamOptimizer.applyGradients` with one {@link FUSED_ADAM} kernel per variable instead of
 * about a dozen element-wise kernels: the same state (moments, bias-correction powers, iteration
 * count, variable names), the same float32 arithmetic in the same order. Returns false, doing
 * nothing, when the current backend has no fused kernel.
 */
export function applyFusedAdam(optimizer: tf.AdamOptimizer, variableGradients: VariableGradients): boolean {
  if (!tf.getKernel(FUSED_ADAM, tf.getBackend())) return false;
  const state = optimizer as unknown as AdamInternals;
  const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  // tfjs computes 1 - beta^t in float32 from the same variables.
  const powers = tf.tidy(() => [tf.sub(1, state.accBeta1), tf.sub(1, state.accBeta2)].map((t) => t.dataSync()[0]));
  tf.tidy(() => {
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const grad: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (grad == null) return;
      const m = state.accumulatedFirstMoment[i]!.variable;
      const v = state.accumulatedSecondMoment[i]!.variable;
      const attrs: FusedAdamAttrs = {
        learningRate: state.learningRate,
        beta1: state.beta1,
        beta2: state.beta2,
        epsilon: state.epsilon,
        oneMinusBeta1Power: powers[0],
        oneMinusBeta2Power: powers[1],
      };
      const [newValue, newM, newV] = tf.engine().runKernel(FUSED_ADAM, { value, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      m.assign(newM);
      v.assign(newV);
      value.assign(newValue);
    });
    state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
    state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
  });
  state.incrementIterations();
  return true;
}

let installed = false;

/**
 * Makes every tfjs `AdamOptimizer` (`tf.train.adam`, and subclasses such as `ScheduledAdam`) take
 * {@link applyFusedAdam} on a backend that has the fused kernel, and tfjs's own path elsewhere.
 * Called once when the native backend is registered.
 */
export function installFusedAdam(): void {
  if (installed) return;
  installed = true;
  const prototype = tf.AdamOptimizer.prototype;
  const original = prototype.applyGradients;
  prototype.applyGradients = function (this: tf.AdamOptimizer, variableGradients: VariableGradients): void {
    if (!applyFusedAdam(this, variableGradients)) original.call(this, variableGradients);
  };
}
