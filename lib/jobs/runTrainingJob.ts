import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer, filter, from, map, Observable, of, switchMap, timer } from 'rxjs';
import type { EpochStats } from '../types.ts';
import { readReferencedData, checkReferencedFile, referencedFiles, type DataAccess } from './jobData.ts';
import { trainModel, type TrainModelEvent, type TrainModelResult } from './trainModel.ts';
import type { TrainingRecipe } from '../models/recipes.ts';
import { recipeSchema, type JobResult, type JobSpec, type ProbeJob, type ProbeJobResult, type TrainingJob, type TrainingJobResult } from './trainingJob.ts';

/** An epoch of a job finished, wherever it runs. */
export interface JobEpochEvent {
  type: 'epoch';
  jobId: string;
  stats: EpochStats;
}

/** A job's result: the last event of {@link runTrainingJob}. */
export interface JobResultEvent {
  type: 'result';
  result: JobResult;
}

/** What {@link runTrainingJob} emits: an event per epoch, then the result. */
export type JobEvent = JobEpochEvent | JobResultEvent;

/** Options of {@link runTrainingJob}: where data may be read, and the backend name metrics record. */
export interface RunTrainingJobOptions extends DataAccess {
  /** Recorded in the metrics (default: the backend tfjs runs on). */
  backend?: string;
}

/** `host:pid`: which process ran a job. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Runs one job in this process: its data read by reference (each file checked against the data
 * roots and its content hash first), the model trained with the job's recipe and seed, evaluated and
 * saved. Emits an `epoch` event per epoch, then the `result`: metrics, predictions with
 * probabilities, and the saved model's files. Unsubscribing stops training between batches; every
 * tensor is freed either way, and the model's scratch directory removed. The job is trusted as given:
 * workers check payloads with `parseJob` first.
 *
 * @example
 * const last = await lastValueFrom(runTrainingJob(job));
 * if (last.type === 'result' && last.result.kind === 'train') console.log(last.result.metrics.valid.accuracy);
 */
export function runTrainingJob(job: JobSpec, options: RunTrainingJobOptions = {}): Observable<JobEvent> {
  return job.kind === 'probe' ? runProbe(job, options) : runTraining(job, options);
}

function runTraining(job: TrainingJob, options: RunTrainingJobOptions): Observable<JobEvent> {
  return defer(() => from(readReferencedData(job.data, options))).pipe(
    switchMap(({ data, answers }) =>
      withScratchDir((scratch) =>
        trainModel({
          model: job.model,
          data,
          answers,
          recipe: exactly(job.recipe),
          seed: job.seed,
          member: job.index,
          outDir: scratch,
          backend: options.backend,
        }).pipe(
          filter((event): event is Extract<TrainModelEvent, { type: 'epoch' | 'result' }> => event.type === 'epoch' || event.type === 'result'),
          switchMap((event) => {
            if (event.type === 'epoch') {
              const { type: _, ...stats } = event;
              return of<JobEvent>({ type: 'epoch', jobId: job.id, stats });
            }
            return from(trainingResult(job, event)).pipe(map((result): JobEvent => ({ type: 'result', result })));
          }),
        ),
      ),
    ),
  );
}

/**
 * The job's recipe with every field it leaves out set to undefined, so that `trainModel` adds none of
 * the model's defaults: a job trains with its recipe and nothing else (no jitter when it has none).
 */
function exactly(recipe: TrainingRecipe): TrainingRecipe {
  const unset = Object.fromEntries(Object.keys(recipeSchema.properties as object).map((key) => [key, undefined]));
  return { ...unset, ...recipe } as TrainingRecipe;
}

/** The result of a training job, its saved model's files read back from the scratch directory. */
async function trainingResult(job: TrainingJob, result: TrainModelResult): Promise<TrainingJobResult> {
  const dir = result.files!.model;
  const modelFiles: Record<string, Uint8Array> = {};
  for (const name of (await readdir(dir)).sort()) modelFiles[name] = new Uint8Array(await readFile(join(dir, name)));
  return { kind: 'train', jobId: job.id, metrics: result.metrics, predictions: result.predictions, modelFiles, worker: workerName() };
}

function runProbe(job: ProbeJob, options: DataAccess): Observable<JobEvent> {
  const check = defer(async (): Promise<ProbeJobResult> => {
    const files = referencedFiles(job.data);
    for (const file of files) await checkReferencedFile(file, options);
    const sizes = await Promise.all(files.map(async (file) => ({ path: file.path, bytes: (await stat(file.path)).size })));
    return { kind: 'probe', jobId: job.id, files: sizes, worker: workerName() };
  });
  return timer(job.holdMs ?? 0).pipe(
    switchMap(() => check),
    map((result): JobEvent => ({ type: 'result', result })),
  );
}

/** `body` given a fresh scratch directory, removed when the body ends, fails or is unsubscribed. */
function withScratchDir<T>(body: (dir: string) => Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let dir: string | undefined;
    let closed = false;
    let inner: { unsubscribe(): void } | undefined;
    mkdtemp(join(tmpdir(), 'digit-flow-job-')).then(
      (made) => {
        dir = made;
        if (closed) return void rm(made, { recursive: true, force: true });
        inner = body(made).subscribe(subscriber);
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      closed = true;
      inner?.unsubscribe();
      if (dir) void rm(dir, { recursive: true, force: true });
    };
  });
}
