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
  try {
    const backend = await startBackend(options.backend, reporter);
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
        defer(() => readJobData(options, reporter)).pipe(
          switchMap(({ data, answers, submissionHeader }) => {
            const recipe = recipeOf(options.model, options);
            const show = trainingProgress(reporter, options.model, options.epochs ?? recipe.epochs);
            return trainEnsemble({
              model: options.model,
              members: recipe.members ?? 1,
              recipe,
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
    reporter.close();
  }
}
