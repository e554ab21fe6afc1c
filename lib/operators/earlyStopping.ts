import * as tf from '@tensorflow/tfjs';
import type { DigitModel } from '../models/model.ts';
import { UserError } from '../errors.ts';

/** When {@link EarlyStopping} (the `earlyStopping` option of `train`) ends training. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement of the validation loss before training stops (default 3). */
  patience?: number;
  /** The least decrease that counts as an improvement (default 0). */
  minDelta?: number;
}

/**
 * Watches the validation loss epoch by epoch, keeps a copy of the model's state at its best, and says
 * when `patience` epochs have gone by without improvement. The copy lives outside the model, so
 * `restore` can put it back after more epochs have changed the variables.
 */
export class EarlyStopping {
  bestEpoch = 0;
  bestLoss = Infinity;
  private snapshot: tf.Tensor[] = [];
  private readonly patience: number;
  private readonly minDelta: number;

  constructor(options: EarlyStoppingOptions = {}) {
    const { patience = 3, minDelta = 0 } = options;
    if (!(Number.isInteger(patience) && patience >= 1)) {
      throw new UserError(`earlyStopping: patience must be an integer >= 1, got ${patience}`);
    }
    if (!(minDelta >= 0)) throw new UserError(`earlyStopping: minDelta must be >= 0, got ${minDelta}`);
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /** Records one epoch's validation loss; true when training should stop. */
  update(epoch: number, validLoss: number, model: DigitModel): boolean {
    if (validLoss < this.bestLoss - this.minDelta) {
      this.bestLoss = validLoss;
      this.bestEpoch = epoch;
      tf.dispose(this.snapshot);
      this.snapshot = model.stateVariables().map((v) => tf.clone(v));
      return false;
    }
    return epoch - this.bestEpoch >= this.patience;
  }

  /** Puts the best state back into the model (no-op before the first epoch). */
  restore(model: DigitModel): void {
    const variables = model.stateVariables();
    this.snapshot.forEach((value, i) => variables[i].assign(value));
  }

  /** Frees the snapshot of the best state; call it once training is over, after `restore`. */
  dispose(): void {
    tf.dispose(this.snapshot);
    this.snapshot = [];
  }
}
