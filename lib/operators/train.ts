import { classCount, describeSize, sameSize, type ImageFormat } from '../data/format.ts';
import * as tf from '@tensorflow/tfjs';
import { concatMap, Observable, type OperatorFunction } from 'rxjs';
import { disposeBatch, type DigitDataset } from '../data/dataset.ts';
import type { AugmentOptions } from '../data/affine.ts';
import { UserError } from '../errors.ts';
import { correctCount, type DigitModel } from '../models/model.ts';
import type { EpochStats, TrainEvent } from '../types.ts';
import { EarlyStopping, type EarlyStoppingOptions } from './earlyStopping.ts';
import type { LearningRateSchedule } from './lrSchedule.ts';
import { WeightAverage, type WeightAverageOptions } from './weightAverage.ts';

/** Options of {@link train} and {@link fit}: how long to train, on what batches, and what to watch. */
export interface TrainOptions {
  /** Passes over the training data, an integer >= 1 (fewer run when early stopping ends training). */
  epochs: number;
  /** Rows per training step, an integer >= 1; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Labelled data scored after every epoch (validation loss and accuracy). */
  valid?: DigitDataset;
  /** Stop when the validation loss stops improving and restore the best weights (needs `valid`). */
  earlyStopping?: EarlyStoppingOptions;
  /** Learning rate per batch; without it the model's optimiser keeps its rate. */
  lrSchedule?: LearningRateSchedule;
  /** Seed of the per-epoch shuffles (epoch e uses seed + e; default 0). */
  seed?: number;
  /** Random affine jitter of the training images, new every epoch (see `DigitDataset.batches`). */
  augment?: AugmentOptions;
  /** Batch size for scoring `valid` (default 1000). */
  validBatchSize?: number;
  /**
   * Label smoothing in [0, 1): each one-hot target becomes `(1 - s) * y + s / classes`, which keeps a
   * model from growing over-confident (default 0).
   */
  labelSmoothing?: number;
  /**
   * Decoupled weight decay (AdamW's): after each step every parameter shrinks by
   * `learningRate * weightDecay` of itself (default 0).
   */
  weightDecay?: number;
  /**
   * Keep an exponential moving average of the weights and put it into the model when training ends
   * (see {@link WeightAverage}); not with `earlyStopping`, which restores weights of its own.
   */
  averageWeights?: WeightAverageOptions;
}

/**
 * Trains `model` on each labelled dataset that arrives and emits typed progress: a `batch` event per
 * step, an `epoch` event (train and validation loss / accuracy, seconds, samples/s, learning rate) per
 * epoch, then `done` with the history. Epochs and batches count from 1. Steps run one at a time with
 * the event loop free in between; unsubscribing stops before the next batch and frees its tensors.
 *
 * @example
 * of(trainSet).pipe(
 *   train(createMlp(), { epochs: 20, batchSize: 128, valid: validSet, earlyStopping: { patience: 3 } }),
 * ).subscribe((event) => event.type === 'epoch' && console.log(event.validAccuracy));
 */
export function train(model: DigitModel, options: TrainOptions): OperatorFunction<DigitDataset, TrainEvent> {
  checkOptions(options);
  return concatMap((dataset: DigitDataset) => fit(model, dataset, options));
}

/** Same image size and class count: names may differ (a model built before the names were given). */
function modelTakes(model: ImageFormat, data: ImageFormat): boolean {
  return sameSize(model, data) && classCount(model) === classCount(data);
}

/** The training run of `train` on one dataset, as a cold Observable. */
export function fit(model: DigitModel, dataset: DigitDataset, options: TrainOptions): Observable<TrainEvent> {
  checkOptions(options);
  if (!dataset.labelled) throw new UserError('train: the training dataset has no labels');
  for (const data of [dataset, options.valid]) {
    if (data && !modelTakes(model.format, data.format)) {
      throw new UserError(
        `train: model '${model.name}' takes ${describeSize(model.format)} images and predicts ${classCount(model.format)} classes, but the ${data === dataset ? 'training' : 'validation'} data are ${describeSize(data.format)} with ${classCount(data.format)} classes`,
      );
    }
  }
  return new Observable<TrainEvent>((subscriber) => {
    let stopped = false;
    const emit = (event: TrainEvent): void => subscriber.next(event);
    runEpochs(model, dataset, options, emit, () => stopped).then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      stopped = true;
    };
  });
}

async function runEpochs(
  model: DigitModel,
  dataset: DigitDataset,
  options: TrainOptions,
  emit: (event: TrainEvent) => void,
  isStopped: () => boolean,
): Promise<void> {
  const { epochs, batchSize, valid, lrSchedule, seed = 0, augment, validBatchSize = 1000, labelSmoothing = 0, weightDecay = 0 } = options;
  const stopping = options.earlyStopping ? new EarlyStopping(options.earlyStopping) : undefined;
  const average = options.averageWeights ? new WeightAverage(model, options.averageWeights) : undefined;
  const classes = classCount(model.format);
  const batchesPerEpoch = dataset.batchCount({ batchSize });
  const history: EpochStats[] = [];
  const started = performance.now();
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < epochs && !stoppedEarly; epoch++) {
      const epochStart = performance.now();
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      let b = 0;
      const batches = dataset.batchIterator({ batchSize, shuffle: true, seed: seed + epoch, shape: model.inputShape, augment });
      for (const batch of batches) {
        try {
          // Yield first: an unsubscribe (or any other task) gets its turn between steps.
          await nextTick();
          if (isStopped()) return;
          if (lrSchedule) model.learningRate = lrSchedule({ epoch, batch: b, batchesPerEpoch, epochs });
          const size = batch.ids.length;
          const targets = labelSmoothing > 0 ? smoothLabels(batch.ys!, labelSmoothing, classes) : batch.ys!;
          const step = await model.trainStep(batch.xs, targets).finally(() => targets !== batch.ys && targets.dispose());
          if (weightDecay > 0) decayWeights(model, model.learningRate * weightDecay);
          average?.update();
          lossSum += step.loss * size;
          correctSum += step.accuracy * size;
          seen += size;
          b++;
          const seconds = (performance.now() - epochStart) / 1000;
          emit({ type: 'batch', epoch: epoch + 1, batch: b, batchesPerEpoch, ...step, samplesPerSec: seen / seconds });
        } finally {
          disposeBatch(batch);
        }
      }
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const scores = valid ? lossAndAccuracy(model, valid, validBatchSize) : undefined;
      const stats: EpochStats = {
        epoch: epoch + 1,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        validLoss: scores?.loss,
        validAccuracy: scores?.accuracy,
        seconds: (performance.now() - epochStart) / 1000,
        samplesPerSec: seen / trainSeconds,
        learningRate: model.learningRate,
      };
      history.push(stats);
      emit({ type: 'epoch', ...stats });
      if (stopping && scores) stoppedEarly = stopping.update(epoch + 1, scores.loss, model);
    }
    stopping?.restore(model);
    average?.apply();
    emit({
      type: 'done',
      history,
      bestEpoch: stopping?.bestEpoch ?? bestByValidLoss(history),
      stoppedEarly,
      seconds: (performance.now() - started) / 1000,
    });
  } finally {
    stopping?.dispose();
    average?.dispose();
  }
}

/** One-hot targets moved `amount` of the way towards the uniform distribution over `classes`. */
function smoothLabels(ys: tf.Tensor2D, amount: number, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(ys, 1 - amount), amount / classes));
}

/** Decoupled weight decay: every parameter scaled by `1 - rate`. */
function decayWeights(model: DigitModel, rate: number): void {
  tf.tidy(() => {
    for (const parameter of model.parameters()) parameter.assign(tf.mul(parameter, 1 - rate));
  });
}

/** Mean cross-entropy and accuracy of `model` on a labelled dataset, in inference mode. */
export function lossAndAccuracy(model: DigitModel, dataset: DigitDataset, batchSize = 1000): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  dataset.batches({ batchSize, shape: model.inputShape }).subscribe((batch) => {
    const [loss, hits] = tf.tidy(() => {
      const logits = model.forward(batch.xs, false);
      const ys = batch.ys!;
      return [tf.losses.softmaxCrossEntropy(ys, logits, undefined, undefined, tf.Reduction.SUM), correctCount(logits, ys)];
    });
    lossSum += loss.dataSync()[0];
    correct += hits.dataSync()[0];
    tf.dispose([loss, hits]);
    disposeBatch(batch);
  });
  return { loss: lossSum / dataset.size, accuracy: correct / dataset.size };
}

function bestByValidLoss(history: EpochStats[]): number {
  let best = history[history.length - 1]?.epoch ?? 0;
  let bestLoss = Infinity;
  for (const stats of history) {
    if (stats.validLoss !== undefined && stats.validLoss < bestLoss) {
      bestLoss = stats.validLoss;
      best = stats.epoch;
    }
  }
  return best;
}

function checkOptions({ epochs, batchSize, valid, earlyStopping, labelSmoothing = 0, weightDecay = 0, averageWeights }: TrainOptions): void {
  if (!Number.isInteger(epochs) || epochs < 1) throw new UserError(`train: epochs must be an integer >= 1, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UserError(`train: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  if (earlyStopping && !valid) throw new UserError('train: earlyStopping needs a valid dataset to watch');
  if (earlyStopping && averageWeights) throw new UserError('train: earlyStopping and averageWeights both choose the final weights: give one of them');
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new UserError(`train: labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  if (!(weightDecay >= 0 && weightDecay < 1)) throw new UserError(`train: weightDecay must be in [0, 1), got ${weightDecay}`);
  if (averageWeights && !(averageWeights.decay >= 0 && averageWeights.decay < 1)) {
    throw new UserError(`train: averageWeights.decay must be in [0, 1), got ${averageWeights.decay}`);
  }
  if (valid && valid.size === 0) throw new UserError('train: the validation dataset is empty');
  if (valid && !valid.labelled) throw new UserError('train: the validation dataset has no labels');
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
