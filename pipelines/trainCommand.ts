import { tap } from 'rxjs';
import { type BackendChoice, type ModelName, RECIPES, readJobData, startBackend, trainModel, type TrainModelResult, trainingProgress } from '../lib/index.ts';
import { interruptible } from './interrupt.ts';
import { createReporter, type ReporterMode } from './progress.ts';
import { describeModelResult } from './summary.ts';

export interface TrainCommandOptions {
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

/** `digits train`: one model, trained, evaluated, its submission, metrics and saved model written. */
export async function trainCommand(options: TrainCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  try {
    const backend = await startBackend(options.backend, reporter);
    const { data, answers } = await readJobData(options, reporter);
    const show = trainingProgress(reporter, options.model, options.epochs ?? RECIPES[options.model].epochs);
    let result: TrainModelResult | undefined;
    const job$ = trainModel({
      model: options.model,
      data,
      answers,
      outDir: options.out,
      backend: backend.name,
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
    }).pipe(tap((event) => (event.type === 'result' ? (result = event) : show(event))));
    await interruptible(job$, options.out);
    if (result) {
      reporter.event({ type: 'result', model: options.model, files: result.files, metrics: { ...result.metrics, testPredictions: undefined } });
      if (options.reporter !== 'json') process.stdout.write(`${describeModelResult(result.metrics, result.files)}\n`);
    }
  } finally {
    reporter.close();
  }
}
