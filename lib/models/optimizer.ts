import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM, type FusedAdamAttrs } from '../backend/native/adamKernel.ts';
import { UserError } from '../errors.ts';

/** The parts of tfjs's AdamOptimizer state the fused update reads and writes (private in its typings). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * Adam whose learning rate can be changed between steps. tfjs keeps the rate in a protected field
 * that `applyGradients` reads on every step, so a schedule only needs a way to write it.
 *
 * On a backend with a fused Adam kernel (the native backend), each variable is updated in one pass
 * instead of tfjs's dozen element-wise kernels; the state (moments, bias corrections, iterations)
 * stays tfjs's own, so the two paths can take turns and `getWeights` sees the same thing.
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** The learning rate the next `applyGradients` step uses. */
  get rate(): number {
    return this.learningRate;
  }

  /** Sets the rate for the following steps; throws unless it is a finite number > 0. */
  set rate(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new UserError(`ScheduledAdam: learningRate must be a positive number, got ${value}`);
    this.learningRate = value;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(FUSED_ADAM, tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
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
          learningRate: this.learningRate,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          oneMinusBeta1Power: powers[0],
          oneMinusBeta2Power: powers[1],
        };
        const [newValue, newM, newV] = tf.engine().runKernel(FUSED_ADAM, { value, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
