import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { DigitModel } from '../models/model.ts';

/** How {@link WeightAverage} (the `averageWeights` option of `train`) averages a model's weights. */
export interface WeightAverageOptions {
  /**
   * Weight of the old average at each step, in [0, 1): 0.999 averages over roughly the last 1,000
   * steps. Early steps use `min(decay, (1 + t) / (10 + t))` so the first weights fade quickly.
   */
  decay: number;
}

/**
 * An exponential moving average of a model's state (parameters and batch-norm statistics), updated
 * after every training step and put into the model when training ends. The average of the last few
 * hundred steps usually scores better than the last step's weights, at no cost in epochs.
 *
 * @example
 * const average = new WeightAverage(model, { decay: 0.999 });
 * // after each step:
 * average.update();
 * // when training is over:
 * average.apply();
 * average.dispose();
 */
export class WeightAverage {
  private readonly decay: number;
  private readonly variables: tf.Variable[];
  private readonly averages: tf.Variable[];
  private steps = 0;

  constructor(model: Pick<DigitModel, 'stateVariables'>, options: WeightAverageOptions) {
    const { decay } = options;
    if (!(decay >= 0 && decay < 1)) throw new UserError(`averageWeights: decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    this.variables = model.stateVariables();
    // the clone is freed by tidy; the variable keeps its own reference to the data
    this.averages = this.variables.map((v) => tf.tidy(() => tf.variable(tf.clone(v), false)));
  }

  /** Steps averaged so far. */
  get count(): number {
    return this.steps;
  }

  /** Folds the model's current state into the average. */
  update(): void {
    const decay = Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
    this.steps++;
    tf.tidy(() => {
      this.averages.forEach((average, i) => {
        // average += (1 - decay) * (value - average): one fewer multiply than decay * a + (1 - decay) * v
        average.assign(tf.add(average, tf.mul(tf.sub(this.variables[i], average), 1 - decay)));
      });
    });
  }

  /** Puts the average into the model's variables (the optimiser's own state is left as it is). */
  apply(): void {
    this.averages.forEach((average, i) => this.variables[i].assign(average));
  }

  /** Frees the averages. */
  dispose(): void {
    tf.dispose(this.averages);
  }
}
