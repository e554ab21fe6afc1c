import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';

/** Adam's two decay rates: of the gradient's running mean and of its square's. */
export interface AdamBetas {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
}

/**
 * Adam whose learning rate can be changed between steps. tfjs keeps the rate in a protected field
 * that `applyGradients` reads on every step, so a schedule only needs a way to write it.
 * On the native backend its updates, like every tfjs Adam's, are one fused kernel per variable.
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    for (const [name, beta] of Object.entries({ beta1, beta2 })) {
      if (!(beta >= 0 && beta < 1)) throw new UserError(`ScheduledAdam: ${name} must be in [0, 1), got ${beta}`);
    }
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
}
