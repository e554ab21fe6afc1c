import { join } from 'node:path';
import { defer, switchMap, tap } from 'rxjs';
import {
  type BackendChoice,
  type ClassNaming,
  type CsvLayout,
  type ModelName,
  readJobData,
  recipeOf,
  type RecipeChoice,
  type RunDir,
  type RunManifest,
  startBackend,
  relocateFiles,
  trainEnsemble,
  type TrainModelResult,
  trainingProgress,
  withRunDir,
  dataReference,
  localRunner,
  queueRunner,
  type JobRunner,
} from '../lib/index.ts';
import { interruptible } from './interrupt.ts';
import { createReporter, type ReporterMode } from './progress.ts';
import { commandLine, describeModelResult } from './summary.ts';

export interface TrainCommandOptions extends CsvLayout, ClassNaming, RecipeChoice {
  /** The submission's header when the competition wants another one. */
  submissionHeader?: readonly [string, string];
  model: ModelName;
  train?: string;
  test?: string;
  out: string;
  epochs?: number;
  batchSize?: number;
  seed: number;
  backend: BackendChoice;
  reporter: ReporterMode;
  /** `--queue URL`: the model trains as jobs on this BullMQ queue; without it, an ensemble trains on local worker processes. */
  queue?: string;
  queueName?: string;
  attempts?: number;
  runId?: string;
  onMemberFailure?: 'fail' | 'skip';
}

/** Run-level files that describe every model: a new model makes them stale, so `train` drops them. */
const RUN_SUMMARIES = new Set(['metrics.json', 'report.html', 'report-data.json', 'charts']);

/**
 * `digits train`: one model trained and evaluated, its submission, metrics and saved model written as
 * one transaction on the out dir. The other models' files of a previous run stay; the run-level
 * summaries (metrics.json, the report) go, since they described the model this run replaces.
 */
export async function trainCommand(options: TrainCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  const own = [`submission-${options.model}.csv`, `metrics-${options.model}.json`, `model-${options.model}`];
  let runner: JobRunner | undefined;
  try {
    // a queue that cannot be reached is one line before the backend loads
    if (options.queue) runner = await queueRunner({ url: options.queue, queueName: options.queueName, attempts: options.attempts });
    const backend = await startBackend(options.backend, reporter);
    runner ??= localRunner({ backend: backend.name, attempts: options.attempts });
    const jobRunner = runner;
    let result: TrainModelResult | undefined;
    let run: RunDir | undefined;
    let manifest: RunManifest | undefined;
    const job$ = withRunDir(
      options.out,
      {
        command: commandLine(),
        seed: options.seed,
        writes: [
          { name: own[0], kind: 'file' },
          { name: own[1], kind: 'file' },
          { name: own[2], kind: 'directory' },
        ],
        keep: (name) => !own.includes(name) && !RUN_SUMMARIES.has(name),
        onNotice: (message) => reporter.info(message),
        onOpen: (opened) => (run = opened),
        onCommit: (committed) => (manifest = committed),
      },
      (opened) =>
        defer(async () => {
          const job = await readJobData(options, reporter);
          const recipe = recipeOf(options.model, options);
          const members = recipe.members ?? 1;
          // an ensemble trains on worker processes, and everything on the queue when there is one
          const reference = options.queue || members > 1 ? await dataReference(options, job.files) : undefined;
          if (reference) reporter.info(`${options.queue ? 'the model trains' : 'ensemble members train'} as jobs on ${jobRunner.description}`);
          return { ...job, recipe, members, reference };
        }).pipe(
          switchMap(({ data, answers, submissionHeader, recipe, members, reference }) => {
            const show = trainingProgress(reporter, options.model, options.epochs ?? recipe.epochs);
            return trainEnsemble({
              model: options.model,
              members,
              recipe,
              jobs: reference && { runner: jobRunner, data: reference, runId: options.runId, onMemberFailure: options.onMemberFailure },
              data,
              answers,
              submissionHeader,
              outDir: opened.staging,
              backend: backend.name,
              epochs: options.epochs,
              batchSize: options.batchSize,
              seed: options.seed,
            }).pipe(tap((event) => (event.type === 'result' ? (result = event) : show(event))));
          }),
        ),
    );
    await interruptible(job$, options.out, () => run?.runId);
    if (result && run && manifest) {
      const staged = result.files!;
      const files = relocateFiles(staged, (path) => run!.livePath(path));
      reporter.event({ type: 'result', model: options.model, runId: manifest.runId, files, metrics: { ...result.metrics, testPredictions: undefined } });
      if (options.reporter !== 'json') {
        process.stdout.write(`${describeModelResult(result.metrics, files)}\n${options.out} holds run ${manifest.runId} (manifest: ${join(options.out, 'run.json')})\n`);
      }
    }
  } finally {
    await runner?.close();
    reporter.close();
  }
}
