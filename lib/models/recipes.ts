import type { AugmentOptions } from '../data/affine.ts';
import type { ModelName } from './createModel.ts';

/** How a built-in model is trained by default: measured settings, not guesses (see README). */
export interface TrainingRecipe {
  epochs: number;
  batchSize: number;
  /** Peak of the one-cycle learning-rate schedule. */
  maxLearningRate: number;
  /** Random affine jitter of training images, new every epoch; none when absent. */
  augment?: AugmentOptions;
}

export const RECIPES: Readonly<Record<ModelName, TrainingRecipe>> = {
  mlp: { epochs: 15, batchSize: 128, maxLearningRate: 3e-3, augment: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 } },
  cnn: { epochs: 14, batchSize: 128, maxLearningRate: 4e-3, augment: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 } },
};
