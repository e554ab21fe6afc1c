import { join } from 'node:path';
import { concat, defer, ignoreElements, type Observable, tap } from 'rxjs';
import type { BackendInfo } from '../lib/backend/selectBackend.ts';
import { DigitDataset } from '../lib/data/dataset.ts';
import { writeFileAtomic } from '../lib/io/atomic.ts';
import type { ModelName } from '../lib/models/createModel.ts';
import { RECIPES } from '../lib/models/recipes.ts';
import type { ModelMetrics } from '../lib/types.ts';
import { writeFullReport } from './writeReports.ts';
import { JOB_VALID_FRACTION, readJobData, type JobData } from '../lib/jobs/inputs.ts';
import type { Reporter } from '../lib/jobs/reporter.ts';
import { trainModel, type TrainModelFiles } from '../lib/jobs/trainModel.ts';
import { trainingProgress } from '../lib/jobs/trainProgress.ts';
import { createOutDir } from '../lib/io/outDir.ts';

/** Options of {@link runJob}. */
export interface RunOptions {
  train?: string;
  test?: string;
  out: string;
  models: ModelName[];
  epochs?: number;
  batchSize?: number;
  seed: number;
  augment?: boolean;
  /** Rows of sample digits in the report. */
  rows: number;
  /** A small subset and few epochs: a whole run in well under a minute. */
  quick: boolean;
}

/** What {@link runJob} produced, for the final summary. */
export interface RunResult {
  models: ModelMetrics[];
  files: TrainModelFiles[];
  metrics: string;
  report: string;
  seconds: number;
}

/** `quick` runs train on this many rows (stratified by the split)... */
export const QUICK_TRAIN_ROWS = 3000;
/** ...for this many epochs. */
export const QUICK_EPOCHS = 2;

/** Everything `metrics.json` holds: the run's settings and each model's metrics. */
export interface RunMetrics {
  backend: string;
  seed: number;
  quick: boolean;
  data: { train: string; test: string; trainRows: number; validRows: number; testRows: number; heldOutAnswers: boolean };
  models: ModelMetrics[];
}

/**
 * The whole job (`digits run`, `npm start`) as one Observable of stages: data (the embedded default made on first use), the
 * stratified split, each model trained / evaluated / predicted with its submission and saved model,
 * `metrics.json`, and the report (EDA + comparison). Subscribing runs it; unsubscribing stops it
 * between batches. The result is passed to `onResult` when the report is written.
 *
 * @example
 * const backend = await selectBackend();
 * runJob({ out: 'out', models: ['mlp'], seed: 1, rows: 3, quick: true }, backend, silentReporter(), (result) =>
 *   console.log(result.report),
 * ).subscribe();
 */
export function runJob(options: RunOptions, backend: BackendInfo, reporter: Reporter, onResult: (result: RunResult) => void): Observable<never> {
  const started = performance.now();
  // set by the first stage, read by the later ones
  let job: JobData;
  const metrics: ModelMetrics[] = [];
  const written: TrainModelFiles[] = [];

  const prepare = defer(async () => {
    await createOutDir(options.out);
    job = await readJobData(options, reporter);
    if (options.quick) {
      const { train, valid, test } = job.data;
      job.data = { train: firstRows(train, QUICK_TRAIN_ROWS), valid: firstRows(valid, Math.ceil(QUICK_TRAIN_ROWS * JOB_VALID_FRACTION)), test };
      reporter.info(`--quick: training on ${job.data.train.size} rows, validating on ${job.data.valid.size}, ${QUICK_EPOCHS} epoch(s)`);
    }
  });

  const trainOne = (model: ModelName): Observable<never> =>
    defer(() => {
      const epochs = options.epochs ?? (options.quick ? QUICK_EPOCHS : RECIPES[model].epochs);
      const show = trainingProgress(reporter, model, epochs);
      return trainModel({
        model,
        data: job.data,
        answers: job.answers,
        outDir: options.out,
        backend: backend.name,
        epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        augment: options.augment,
      }).pipe(
        tap((event) => {
          if (event.type !== 'result') return show(event);
          metrics.push(event.metrics);
          written.push(event.files!);
        }),
        ignoreElements(),
      );
    });

  const finish = defer(async () => {
    const { data, answers, files } = job;
    const metricsFile = join(options.out, 'metrics.json');
    const summary: RunMetrics = {
      backend: backend.reason,
      seed: options.seed,
      quick: options.quick,
      data: {
        train: files.train,
        test: files.test,
        trainRows: data.train.size,
        validRows: data.valid.size,
        testRows: data.test.size,
        heldOutAnswers: answers !== undefined,
      },
      models: metrics,
    };
    await writeFileAtomic(metricsFile, `${JSON.stringify(summary, null, 2)}\n`);
    const task = reporter.task('render report', 1, 'pages');
    // the report shows test digits with their true labels when the answers are known
    const test = answers ? new DigitDataset(data.test.pixels, data.test.ids, Uint8Array.from(data.test.ids, (id) => answers!.get(id)!)) : data.test;
    // the whole labelled file: the EDA covers all of it, and validation mistakes are drawn from it
    const labelled = DigitDataset.concat([data.train, data.valid]);
    const report = await writeFullReport(options.out, { train: labelled, test, models: metrics, rows: options.rows, seed: options.seed });
    task.finish(`rendered the report: ${report.charts.length} charts`);
    onResult({ models: metrics, files: written, metrics: metricsFile, report: join(options.out, 'report.html'), seconds: (performance.now() - started) / 1000 });
  });

  return concat(prepare, ...options.models.map(trainOne), finish).pipe(ignoreElements());
}

/** The first n rows: train.csv's rows come in no particular order, so they are a fair sample. */
function firstRows(dataset: DigitDataset, n: number): DigitDataset {
  return n >= dataset.size ? dataset : dataset.subset(Array.from({ length: n }, (_, i) => i));
}
