import { join } from 'node:path';
import { concat, defer, ignoreElements, type Observable, tap } from 'rxjs';
import type { BackendInfo } from '../lib/backend/selectBackend.ts';
import { DigitDataset } from '../lib/data/dataset.ts';
import { writeFileAtomic } from '../lib/io/atomic.ts';
import type { ModelName } from '../lib/models/createModel.ts';
import { recipeOf, type RecipeChoice, type RecipeName, type TrainingRecipe } from '../lib/models/recipes.ts';
import type { ModelMetrics } from '../lib/types.ts';
import { writeFullReport } from './writeReports.ts';
import { JOB_VALID_FRACTION, readJobData, type ClassNaming, type CsvLayout, type JobData } from '../lib/jobs/inputs.ts';
import { dataReference, firstRows } from '../lib/jobs/jobData.ts';
import type { EnsembleJobs } from '../lib/jobs/ensembleJobs.ts';
import type { JobRunner } from '../lib/jobs/runners/jobRunner.ts';
import type { Reporter } from '../lib/jobs/reporter.ts';
import { relocateFiles, type TrainModelFiles } from '../lib/jobs/trainModel.ts';
import { trainEnsemble } from '../lib/jobs/trainEnsemble.ts';
import { trainingProgress } from '../lib/jobs/trainProgress.ts';
import { withRunDir, type PlannedOutput, type RunDir } from '../lib/io/runDir.ts';

/** Options of {@link runJob}. */
export interface RunOptions extends CsvLayout, ClassNaming, RecipeChoice {
  train?: string;
  test?: string;
  out: string;
  models: ModelName[];
  epochs?: number;
  batchSize?: number;
  seed: number;
  augment?: boolean;
  /** Rows of sample images in the report. */
  rows: number;
  /** The submissions' header, when the competition wants another (default: `ImageId,Label`, or the test file's id column). */
  submissionHeader?: readonly [string, string];
  /** A small subset and few epochs: a whole run in well under a minute. */
  quick: boolean;
  /** What the out dir's manifest records as the command (default `runJob`). */
  command?: string;
  /** Told about leftovers of a stopped run that were cleaned up in the out dir (default: the reporter). */
  onNotice?: (message: string) => void;
  /** Called once the out dir is checked and the run opened, before any work. */
  onOpen?: (run: RunDir) => void;
  /**
   * Where models train as jobs (local worker processes, a BullMQ queue; see `trainEnsemble`'s
   * `jobs`): absent, every model trains in this process. The caller closes it.
   */
  runner?: JobRunner;
  /** Which models go to the runner: 'ensembles' (default; a model of one member trains in this process) or 'all'. */
  runnerFor?: 'ensembles' | 'all';
  /** With a runner: the run its jobs are filed under, a model's jobs under `<runId>-<model>` (default: derived from what they compute). */
  runId?: string;
  /** With a runner: a member that fails on its last attempt fails the run ('fail', default) or is left out ('skip'). */
  onMemberFailure?: 'fail' | 'skip';
}

/** What {@link runJob} produced, for the final summary. */
export interface RunResult {
  /** The id of the run in the out dir's manifest (`run.json`). */
  runId: string;
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
  /** The rung of the recipe ladder (each model's own recipe is in its metrics); absent in older files. */
  recipe?: RecipeName;
  data: { train: string; test: string; trainRows: number; validRows: number; testRows: number; heldOutAnswers: boolean };
  models: ModelMetrics[];
}

/** The top-level outputs of a run of `models`: checked before any work starts. */
function plannedOutputs(models: readonly ModelName[]): PlannedOutput[] {
  return [
    ...models.flatMap((model): PlannedOutput[] => [
      { name: `submission-${model}.csv`, kind: 'file' },
      { name: `metrics-${model}.json`, kind: 'file' },
      { name: `model-${model}`, kind: 'directory' },
    ]),
    { name: 'metrics.json', kind: 'file' },
    { name: 'report.html', kind: 'file' },
    { name: 'report-data.json', kind: 'file' },
    { name: 'charts', kind: 'directory' },
  ];
}

/**
 * The whole job (`digits run`, `npm start`) as one Observable of stages: data (the embedded default
 * made on first use), the stratified split, each model trained / evaluated / predicted with its
 * submission and saved model, `metrics.json`, and the report (EDA + comparison). Subscribing runs it.
 *
 * The out dir is one transaction (see `withRunDir`): it is checked before any work, the run writes
 * into a staging directory, and only a whole run replaces the previous one, with its manifest
 * `run.json` written last. Unsubscribing stops training between batches and drops the staged files,
 * leaving the previous run untouched. The result is passed to `onResult` once the run is live.
 *
 * @example
 * const backend = await selectBackend();
 * runJob({ out: 'out', models: ['mlp'], seed: 1, rows: 3, quick: true }, backend, silentReporter(), (result) =>
 *   console.log(result.report),
 * ).subscribe();
 */
export function runJob(options: RunOptions, backend: BackendInfo, reporter: Reporter, onResult: (result: RunResult) => void): Observable<never> {
  const started = performance.now();
  let result: Omit<RunResult, 'runId' | 'seconds'> | undefined;
  return withRunDir(
    options.out,
    {
      command: options.command ?? 'runJob',
      seed: options.seed,
      writes: plannedOutputs(options.models),
      onNotice: options.onNotice ?? ((message) => reporter.info(message)),
      onOpen: options.onOpen,
      onCommit: (manifest) => onResult({ runId: manifest.runId, ...result!, seconds: (performance.now() - started) / 1000 }),
    },
    (run) => jobStages(options, run, backend, reporter, (r) => (result = r)),
  ).pipe(ignoreElements());
}

/** The job's stages, writing into the run's staging directory; the result names the live files. */
function jobStages(
  options: RunOptions,
  run: RunDir,
  backend: BackendInfo,
  reporter: Reporter,
  onResult: (result: Omit<RunResult, 'runId' | 'seconds'>) => void,
): Observable<never> {
  const out = run.staging;
  // set by the first stage, read by the later ones
  let job: JobData;
  const metrics: ModelMetrics[] = [];
  const written: TrainModelFiles[] = [];
  // how workers find the data, when models train as jobs
  let jobs: Omit<EnsembleJobs, 'runId'> | undefined;

  const prepare = defer(async () => {
    job = await readJobData(options, reporter);
    const rows = options.quick ? { train: QUICK_TRAIN_ROWS, valid: Math.ceil(QUICK_TRAIN_ROWS * JOB_VALID_FRACTION) } : undefined;
    if (rows) {
      const { train, valid, test } = job.data;
      job.data = { train: firstRows(train, rows.train), valid: firstRows(valid, rows.valid), test };
      reporter.info(`--quick: training on ${job.data.train.size} rows, validating on ${job.data.valid.size}, ${QUICK_EPOCHS} epoch(s)`);
    }
    if (options.runner) {
      jobs = { runner: options.runner, data: await dataReference(options, job.files, rows), onMemberFailure: options.onMemberFailure };
      reporter.info(`${options.runnerFor === 'all' ? 'models' : 'ensemble members'} train as jobs on ${options.runner.description}`);
    }
  });

  const trainOne = (model: ModelName): Observable<never> =>
    defer(() => {
      const recipe = recipeFor(options, model);
      const epochs = options.epochs ?? recipe.epochs;
      const show = trainingProgress(reporter, model, epochs);
      const members = recipe.members ?? 1;
      const asJobs = jobs && (options.runnerFor === 'all' || members > 1) ? { ...jobs, runId: options.runId && `${options.runId}-${model}` } : undefined;
      return trainEnsemble({
        model,
        members,
        recipe,
        jobs: asJobs,
        data: job.data,
        answers: job.answers,
        submissionHeader: job.submissionHeader,
        outDir: out,
        backend: backend.name,
        epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        augment: options.augment,
      }).pipe(
        tap((event) => {
          if (event.type !== 'result') return show(event);
          metrics.push(event.metrics);
          written.push(relocateFiles(event.files!, (path) => run.livePath(path)));
        }),
        ignoreElements(),
      );
    });

  const finish = defer(async () => {
    const { data, answers, files } = job;
    const summary: RunMetrics = {
      backend: backend.reason,
      seed: options.seed,
      quick: options.quick,
      recipe: options.recipe ?? 'fast',
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
    await writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const task = reporter.task('render report', 1, 'pages');
    // the report shows test images with their true labels when the answers are known; the answers
    // are class indices of the training data's format, which names the classes everywhere in the report
    const { format } = data.train;
    const test = answers ? new DigitDataset(data.test.pixels, data.test.ids, Uint8Array.from(data.test.ids, (id) => answers!.get(id)!), format) : data.test;
    // the whole labelled file: the EDA covers all of it, and validation mistakes are drawn from it
    const labelled = DigitDataset.concat([data.train, data.valid]);
    const report = await writeFullReport(out, { train: labelled, test, format, models: metrics, rows: options.rows, seed: options.seed });
    task.finish(`rendered the report: ${report.charts.length} charts`);
    onResult({
      models: metrics,
      files: written,
      metrics: join(options.out, 'metrics.json'),
      report: join(options.out, 'report.html'),
    });
  });

  return concat(prepare, ...options.models.map(trainOne), finish).pipe(ignoreElements());
}

/** The recipe `model` trains with in this run: `--quick` makes it two epochs of one model unless `--ensemble` says more. */
function recipeFor(options: RunOptions, model: ModelName): TrainingRecipe {
  const recipe = recipeOf(model, options);
  return options.quick ? { ...recipe, epochs: QUICK_EPOCHS, members: options.ensemble ?? 1 } : recipe;
}
