import { join } from 'node:path';
import { concat, defer, finalize, lastValueFrom, Observable, tap, toArray } from 'rxjs';
import type { DigitDataset } from '../lib/data/dataset.ts';
import { DEFAULT_JITTER, type AugmentOptions } from '../lib/data/affine.ts';
import { UserError } from '../lib/errors.ts';
import { writeFileAtomic } from '../lib/io/atomic.ts';
import { writeSubmission } from '../lib/io/submission.ts';
import { createOutDir } from '../lib/io/outDir.ts';
import { createModel, type ModelName } from '../lib/models/createModel.ts';
import type { DigitModel } from '../lib/models/model.ts';
import { RECIPES } from '../lib/models/recipes.ts';
import { evaluate, evaluateLabels } from '../lib/operators/evaluate.ts';
import { oneCycle } from '../lib/operators/lrSchedule.ts';
import { concatPredictions, predict, type Prediction } from '../lib/operators/predict.ts';
import { fit } from '../lib/operators/train.ts';
import type { DoneEvent, Evaluation, ModelMetrics, TrainEvent } from '../lib/types.ts';

/** The three datasets one training job needs. */
export interface TrainingData {
  train: DigitDataset;
  valid: DigitDataset;
  /** Unlabelled test images, ids 1..N (Kaggle's ImageId). */
  test: DigitDataset;
}

export interface TrainModelOptions {
  model: ModelName;
  data: TrainingData;
  /** Held-out answers by ImageId (the embedded default's test_labels.csv): scored after training only. */
  answers?: Map<number, number>;
  outDir: string;
  /** Name of the tfjs backend in use, recorded in the metrics. */
  backend: string;
  /** Defaults come from RECIPES[model]. */
  epochs?: number;
  /** Jitter training images: true uses the recipe's jitter (or DEFAULT_JITTER), false none (default: the recipe). */
  augment?: boolean;
  batchSize?: number;
  seed?: number;
}

/** Where `trainModel` wrote its outputs. */
export interface TrainModelFiles {
  submission: string;
  metrics: string;
  model: string;
}

export interface TrainModelResult {
  type: 'result';
  metrics: ModelMetrics;
  files: TrainModelFiles;
}

export type TrainModelEvent = TrainEvent | TrainModelResult;

const PREDICT_BATCH = 1000;

/**
 * `digits train`: trains one built-in model with its recipe, then predicts the test set and writes
 * `submission-<model>.csv`, `metrics-<model>.json` (validation metrics, history, timings, backend,
 * parameter count, and the test accuracy when answers are given) and the saved model `model-<model>/`
 * into `outDir`. Emits the training events, then one `result`. Unsubscribing stops training and
 * frees the model.
 *
 * @example
 * const { train, valid } = await readTrainValid('data/train.csv', reporter, { validFraction: 0.1, seed: 20742 });
 * const test = await readDataset('data/test.csv', reporter, 'unlabelled');
 * trainModel({ model: 'cnn', data: { train, valid, test }, outDir: 'out', backend: info.name }).subscribe(report);
 */
export function trainModel(options: TrainModelOptions): Observable<TrainModelEvent> {
  const recipe = RECIPES[options.model];
  const epochs = options.epochs ?? recipe.epochs;
  const batchSize = options.batchSize ?? recipe.batchSize;
  const seed = options.seed ?? 0;
  return defer(() => {
    const model = createModel(options.model, { seed, learningRate: recipe.maxLearningRate });
    let done: DoneEvent | undefined;
    const training = fit(model, options.data.train, {
      epochs,
      batchSize,
      seed,
      valid: options.data.valid,
      lrSchedule: oneCycle(recipe.maxLearningRate),
      augment: augmentation(recipe.augment, options.augment, seed),
    }).pipe(tap((event) => event.type === 'done' && (done = event)));
    const result = defer(async () => finish(model, options, { epochs, batchSize }, done!));
    return concat(training, result).pipe(finalize(() => model.dispose()));
  });
}

function augmentation(recipe: AugmentOptions | undefined, wanted: boolean | undefined, seed: number): AugmentOptions | undefined {
  if (wanted === false || (wanted === undefined && !recipe)) return undefined;
  return { ...(recipe ?? DEFAULT_JITTER), seed };
}

async function finish(
  model: DigitModel,
  options: TrainModelOptions,
  settings: { epochs: number; batchSize: number },
  done: DoneEvent,
): Promise<TrainModelResult> {
  const { data, outDir } = options;
  const valid = await lastValueFrom(data.valid.batches({ batchSize: PREDICT_BATCH }).pipe(predict(model), evaluate()));
  const predictStart = performance.now();
  const test = concatPredictions(
    await lastValueFrom(data.test.batches({ batchSize: PREDICT_BATCH }).pipe(predict(model), toArray())),
  );
  const predictSeconds = (performance.now() - predictStart) / 1000;
  const metrics: ModelMetrics = {
    model: model.name,
    backend: options.backend,
    parameters: model.parameterCount(),
    epochs: done.history.length,
    batchSize: settings.batchSize,
    history: done.history,
    valid,
    test: options.answers ? scoreTest(test, options.answers) : undefined,
    timings: {
      trainSeconds: done.seconds,
      predictSeconds,
      samplesPerSec: done.history.reduce((sum, e) => sum + e.samplesPerSec, 0) / done.history.length,
    },
    testPredictions: Array.from(test.labels),
  };
  await createOutDir(outDir);
  const files: TrainModelFiles = {
    submission: join(outDir, `submission-${model.name}.csv`),
    metrics: join(outDir, `metrics-${model.name}.json`),
    model: join(outDir, `model-${model.name}`),
  };
  await writeSubmission(files.submission, test.ids, test.labels);
  await model.save(files.model);
  await writeFileAtomic(files.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  return { type: 'result', metrics, files };
}

function scoreTest(test: Prediction, answers: Map<number, number>): Evaluation {
  const truth = Array.from(test.ids, (id) => {
    const label = answers.get(id);
    if (label === undefined) throw new UserError(`answers: no label for test ImageId ${id}`);
    return label;
  });
  return evaluateLabels(truth, test.labels, test.ids, test.probabilities);
}
