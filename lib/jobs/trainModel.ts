import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { concat, defer, finalize, from, lastValueFrom, Observable, tap, toArray } from 'rxjs';
import type { DigitDataset } from '../data/dataset.ts';
import { DEFAULT_JITTER, type AugmentOptions } from '../data/affine.ts';
import { classCount, describeSize, sameSize } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { writeSubmission } from '../io/submission.ts';
import { createOutDir } from '../io/outDir.ts';
import { createModel, type ModelName } from '../models/createModel.ts';
import type { DigitModel } from '../models/model.ts';
import { memberArchitecture, memberRecipe, RECIPES, type TrainingRecipe } from '../models/recipes.ts';
import { evaluateLabels, scorePrediction } from '../operators/evaluate.ts';
import { TTA_SHIFTS } from '../data/shift.ts';
import { oneCycle } from '../operators/lrSchedule.ts';
import { concatPredictions, predict, type Prediction } from '../operators/predict.ts';
import { fit } from '../operators/train.ts';
import type { Batch, DoneEvent, Evaluation, ModelMetrics, TrainEvent } from '../types.ts';

/** The three datasets one training job needs: train, validation and (unlabelled) test. */
export interface TrainingData {
  train: DigitDataset;
  valid: DigitDataset;
  /** Unlabelled test images of the training set's format: ids 1..N (Kaggle's ImageId) or the file's own. */
  test: DigitDataset;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /**
   * A built-in model by name (created with its recipe, disposed at the end), or any model that
   * implements the {@link DigitModel} contract, a user's own included (the caller keeps and disposes it).
   */
  model: ModelName | DigitModel;
  data: TrainingData;
  /** The submission's header (default `ImageId,Label` with ids 1..N; see `writeSubmission`). */
  submissionHeader?: readonly [string, string];
  /** Held-out answers by ImageId (the embedded default's test_labels.csv): scored after training only. */
  answers?: Map<number, number>;
  /**
   * Where `submission-<name>.csv`, `metrics-<name>.json` and `model-<name>/` are written; nothing is
   * written when absent.
   */
  outDir?: string;
  /** Name of the tfjs backend in use, recorded in the metrics (default: `tf.getBackend()`). */
  backend?: string;
  /**
   * Settings for a user's model, or overrides of a built-in model's recipe (default: `RECIPES[name]`
   * for a built-in model; 5 epochs, batch 128, peak learning rate 1e-3 and no augmentation otherwise).
   */
  recipe?: Partial<TrainingRecipe>;
  /** Defaults come from the recipe. */
  epochs?: number;
  /** Jitter training images: true uses the recipe's jitter (or DEFAULT_JITTER), false none (default: the recipe). */
  augment?: boolean;
  batchSize?: number;
  seed?: number;
  /**
   * This model is member `member` (from 1) of an ensemble (see `trainEnsemble`): its files are
   * `metrics-<name>-<member>.json` and `model-<name>-<member>/`, and it writes no submission of its
   * own (the ensemble writes one).
   */
  member?: number;
}

/** Where {@link trainModel} wrote its outputs (an ensemble member writes no submission). */
export interface TrainModelFiles {
  submission?: string;
  metrics: string;
  model: string;
}

/**
 * The same files at other paths, e.g. a staging directory's files at their live place (`RunDir.livePath`).
 *
 * @example
 * const live = relocateFiles(result.files, (path) => run.livePath(path));
 */
export function relocateFiles(files: TrainModelFiles, move: (path: string) => string): TrainModelFiles {
  return { submission: files.submission === undefined ? undefined : move(files.submission), metrics: move(files.metrics), model: move(files.model) };
}

/** The validation and test predictions a trained model made, probabilities included. */
export interface ModelPredictions {
  /** With true labels, in validation order. */
  valid: Prediction;
  /** In test order. */
  test: Prediction;
}

/**
 * The last event of {@link trainModel}: the model's metrics, its predictions (not written anywhere:
 * an ensemble averages them) and, when an out dir was given, its files.
 */
export interface TrainModelResult {
  type: 'result';
  metrics: ModelMetrics;
  predictions: ModelPredictions;
  files?: TrainModelFiles;
}

/** What {@link trainModel} emits: the training events, then one `result`. */
export type TrainModelEvent = TrainEvent | TrainModelResult;

const PREDICT_BATCH = 1000;

/** The recipe a user's own model trains with unless told otherwise. */
const USER_MODEL_RECIPE: TrainingRecipe = { epochs: 5, batchSize: 128, maxLearningRate: 1e-3 };

/**
 * Trains one model, evaluates it on the validation set, predicts the test set and, when `outDir` is
 * given, writes `submission-<name>.csv`, `metrics-<name>.json` (validation metrics, history, timings,
 * backend, parameter count, and the test accuracy when answers are given) and the saved model
 * `model-<name>/`. Emits the training events, then one `result` with the metrics. Unsubscribing stops
 * training; a built-in model created here is freed at the end, a model passed in stays the caller's.
 *
 * @example
 * const data = await readJobData({ seed: 20742 }, silentReporter());
 * trainModel({ model: 'cnn', data: data.data, outDir: 'out' }).subscribe((event) => {
 *   if (event.type === 'result') console.log(event.metrics.valid.accuracy);
 * });
 */
export function trainModel(options: TrainModelOptions): Observable<TrainModelEvent> {
  const builtIn = typeof options.model === 'string' ? options.model : undefined;
  const given: TrainingRecipe = { ...(builtIn ? RECIPES[builtIn] : USER_MODEL_RECIPE), ...options.recipe };
  if (!builtIn && given.architecture !== undefined) {
    throw new UserError(`trainModel: a recipe's architecture is for the built-in cnn; ${(options.model as DigitModel).name} is built already`);
  }
  // an ensemble member trains, and records, its own turn of a list of architectures
  const recipe = memberRecipe(given, options.member);
  const architecture = memberArchitecture(recipe);
  const epochs = options.epochs ?? recipe.epochs;
  const batchSize = options.batchSize ?? recipe.batchSize;
  const seed = options.seed ?? 0;
  return defer(() => {
    checkFormats(options.data);
    const model = builtIn
      ? createModel(builtIn, { seed, learningRate: recipe.maxLearningRate, beta1: recipe.beta1, beta2: recipe.beta2, format: options.data.train.format, architecture })
      : (options.model as DigitModel);
    let done: DoneEvent | undefined;
    const training = fit(model, options.data.train, {
      epochs,
      batchSize,
      seed,
      valid: options.data.valid,
      lrSchedule: oneCycle(recipe.maxLearningRate, { warmup: recipe.warmup }),
      augment: augmentation(recipe.augment, options.augment, seed),
      labelSmoothing: recipe.labelSmoothing,
      weightDecay: recipe.weightDecay,
      averageWeights: recipe.averageWeights === undefined ? undefined : { decay: recipe.averageWeights },
    }).pipe(tap((event) => event.type === 'done' && (done = event)));
    const result = defer(async () => finish(model, options, { epochs, batchSize, recipe }, done!));
    return concat(training, result).pipe(finalize(() => builtIn && model.dispose()));
  });
}

/**
 * A dataset's batches for prediction, made one at a time with a turn of the event loop between them:
 * predicting 28,000 images takes seconds, and a Ctrl-C must be heard in the middle of it.
 */
async function* yieldingBatches(dataset: DigitDataset): AsyncGenerator<Batch> {
  for (const batch of dataset.batchIterator({ batchSize: PREDICT_BATCH })) {
    yield batch;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function augmentation(recipe: AugmentOptions | undefined, wanted: boolean | undefined, seed: number): AugmentOptions | undefined {
  if (wanted === false || (wanted === undefined && !recipe)) return undefined;
  return { ...(recipe ?? DEFAULT_JITTER), seed };
}

async function finish(
  model: DigitModel,
  options: TrainModelOptions,
  settings: { epochs: number; batchSize: number; recipe: TrainingRecipe },
  done: DoneEvent,
): Promise<TrainModelResult> {
  const { data, outDir, member } = options;
  const shifts = settings.recipe.tta ? TTA_SHIFTS : undefined;
  const predictAll = async (dataset: DigitDataset): Promise<Prediction> =>
    concatPredictions(await lastValueFrom(from(yieldingBatches(dataset)).pipe(predict(model, { shifts }), toArray())));
  const validPrediction = await predictAll(data.valid);
  const predictStart = performance.now();
  const test = await predictAll(data.test);
  const predictSeconds = (performance.now() - predictStart) / 1000;
  const metrics: ModelMetrics = {
    model: model.name,
    backend: options.backend ?? tf.getBackend(),
    parameters: model.parameterCount(),
    epochs: done.history.length,
    batchSize: settings.batchSize,
    recipe: { ...settings.recipe, epochs: done.history.length, batchSize: settings.batchSize },
    seed: options.seed ?? 0,
    history: done.history,
    valid: scorePrediction(validPrediction),
    test: options.answers ? scoreTest(test, options.answers) : undefined,
    timings: {
      trainSeconds: done.seconds,
      predictSeconds,
      samplesPerSec: done.history.reduce((sum, e) => sum + e.samplesPerSec, 0) / done.history.length,
    },
    testPredictions: Array.from(test.labels),
  };
  const predictions = { valid: validPrediction, test };
  if (outDir === undefined) return { type: 'result', metrics, predictions };
  await createOutDir(outDir);
  const stem = member === undefined ? model.name : `${model.name}-${member}`;
  const files: TrainModelFiles = {
    submission: member === undefined ? join(outDir, `submission-${stem}.csv`) : undefined,
    metrics: join(outDir, `metrics-${stem}.json`),
    model: join(outDir, `model-${stem}`),
  };
  if (files.submission) await writeTestSubmission(files.submission, test, options);
  await model.save(files.model);
  await writeMetrics(files.metrics, metrics);
  return { type: 'result', metrics, predictions, files };
}

/** `metrics` as the JSON file `file` (pretty, one trailing newline), written atomically. */
export async function writeMetrics(file: string, metrics: ModelMetrics): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(metrics, null, 2)}\n`);
}

/** The submission of `test`'s labels, checked to be one per test image in test order. */
export async function writeTestSubmission(
  file: string,
  test: Prediction,
  options: Pick<TrainModelOptions, 'data' | 'submissionHeader'>,
): Promise<void> {
  const { data } = options;
  if (test.ids.length !== data.test.size || test.ids.some((id, row) => id !== data.test.ids[row])) {
    throw new Error(`trainModel: the test predictions are not one per test image in test order`);
  }
  // labels go back as the input wrote them ('24', 'cat'), not as class indices
  await writeSubmission(file, test.ids, test.labels, {
    header: options.submissionHeader,
    classes: data.train.format.classes.map((c) => c.label),
  });
}


/** The three datasets share one format (`fit` checks that the model takes it). */
function checkFormats(data: TrainingData): void {
  const format = data.train.format;
  for (const part of ['valid', 'test'] as const) {
    const other = data[part].format;
    if (!sameSize(other, format) || (part === 'valid' && classCount(other) !== classCount(format))) {
      throw new UserError(`trainModel: the ${part} images (${describeSize(other)}, ${classCount(other)} classes) are not the training images' (${describeSize(format)}, ${classCount(format)} classes)`);
    }
  }
}

/** The evaluation of test predictions against held-out answers by id. */
export function scoreTest(test: Prediction, answers: Map<number, number>): Evaluation {
  const truth = Array.from(test.ids, (id) => {
    const label = answers.get(id);
    if (label === undefined) throw new UserError(`answers: no label for test ImageId ${id}`);
    return label;
  });
  return evaluateLabels(truth, test.labels, test.ids, test.probabilities);
}
