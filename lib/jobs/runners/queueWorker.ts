import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Job, Worker } from 'bullmq';
import { UserError } from '../../errors.ts';
import type { EpochStats } from '../../types.ts';
import { encodeJobResult } from '../jobWire.ts';
import { runTrainingJob, workerName } from '../runTrainingJob.ts';
import { describeJob, JOB_FORMAT_VERSION, JobPayloadError, parseJob, type JobResult, type JobSpec } from '../trainingJob.ts';
import { errorLine } from './jobRunner.ts';
import { checkQueueName, DEFAULT_KEEP_SECONDS, DEFAULT_QUEUE_NAME, type StoredResultReference } from './queueRunner.ts';
import { openResultStore } from './resultStore.ts';
import { checkRedis, DEFAULT_CONNECT_TIMEOUT_SECONDS, parseRedisUrl, redisOptions } from './redisConnection.ts';

/** Options of {@link serveQueue}. */
export interface QueueWorkerOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: string;
  /** The BullMQ queue to serve (default `digit-flow-training`). */
  queueName?: string;
  /** Directories whose files jobs may read; a job naming a file elsewhere fails. At least one. */
  dataRoots: readonly string[];
  /**
   * Jobs run at once in this process (default 1). They share the backend's threads: to use more
   * cores, run more worker processes with fewer threads each.
   */
  concurrency?: number;
  /** Name of the backend this process runs on, recorded in the metrics (default: tfjs's). */
  backend?: string;
  /**
   * Seconds after which a job whose worker stopped renewing its lock (killed, frozen) goes back to
   * the queue for another worker (default 30). Every worker of a queue should use the same.
   */
  stalledSeconds?: number;
  /** Seconds to wait for Redis to answer at the start (default 10). */
  connectTimeoutSeconds?: number;
  /** Told what the worker does, for logs. */
  onEvent?: (event: QueueWorkerEvent) => void;
}

/** What a queue worker reports: a job taken, an epoch, a job done or failed, a job handed back, an error. */
export type QueueWorkerEvent =
  | { type: 'job-started'; jobId: string; job: string; attempt: number }
  | { type: 'job-epoch'; jobId: string; stats: EpochStats }
  | { type: 'job-done'; jobId: string; seconds: number; validAccuracy?: number }
  | { type: 'job-failed'; jobId: string; error: string; attempt: number; final: boolean }
  | { type: 'job-returned'; jobId: string }
  | { type: 'error'; message: string };

/** A running queue worker. */
export interface QueueWorker {
  /** `host:pid`, as recorded on the jobs it runs. */
  readonly name: string;
  /**
   * Stops taking jobs, hands the running ones back to the queue (without using up an attempt) and
   * closes the connections.
   */
  stop(): Promise<void>;
}

const DEFAULT_STALLED_SECONDS = 30;

/** A running job was stopped because the worker is stopping. */
class WorkerStopping extends Error {}

/**
 * Serves a BullMQ queue: takes jobs that `queueRunner` coordinators submit, checks each payload
 * against the job schema (a payload that fails it is refused at once, never retried, never run),
 * reads its data only from inside `dataRoots` and only with the content hash the job names, trains
 * on the backend this process selected, and returns the result (metrics, probabilities, the saved
 * model) through Redis, in a hash of its own that the job's return value names. Progress goes back as
 * one update per epoch. The caller selects the backend
 * first (`selectBackend`).
 *
 * @example
 * await selectBackend({ backend: 'native', threads: 2 });
 * const worker = await serveQueue({ url: 'redis://10.0.0.5:6379', dataRoots: ['/data'], onEvent: console.log });
 * process.once('SIGINT', () => void worker.stop());
 */
export async function serveQueue(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { queueName = DEFAULT_QUEUE_NAME, concurrency = 1, stalledSeconds = DEFAULT_STALLED_SECONDS, onEvent = () => {} } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`serveQueue: concurrency must be an integer >= 1, got ${concurrency}`);
  if (!(stalledSeconds > 0)) throw new UserError(`serveQueue: stalledSeconds must be > 0, got ${stalledSeconds}`);
  checkQueueName(queueName);
  const dataRoots = await checkDataRoots(options.dataRoots);
  const target = parseRedisUrl(options.url);
  await checkRedis(target, options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS);
  const { Worker, UnrecoverableError, WaitingError } = await import('bullmq');
  const name = workerName();
  const store = await openResultStore(target, queueName);
  let attempts = 0;
  /** Validation accuracy of the jobs finished here, for the `job-done` event. */
  const accuracies = new Map<string, number>();

  const processor = async (bullJob: Job, token?: string, signal?: AbortSignal): Promise<StoredResultReference> => {
    let job: JobSpec;
    try {
      job = parseJob(bullJob.data);
      if (job.id !== bullJob.id) throw new JobPayloadError(`job payload: field /id is '${job.id}', but the queue's job is '${bullJob.id}'`);
    } catch (error) {
      // the same payload fails the same check on every worker: no retry
      throw new UnrecoverableError(errorLine(error));
    }
    onEvent({ type: 'job-started', jobId: job.id, job: describeJob(job), attempt: bullJob.attemptsMade + 1 });
    try {
      const trained = await runUntilStopped(job, bullJob, signal);
      if (trained.kind === 'train') accuracies.set(job.id, trained.metrics.valid.accuracy);
      const result = encodeJobResult(trained);
      // each attempt its own field: one that lost its lock cannot overwrite the one that counts
      const stored = token ?? `${name}:${++attempts}`;
      await store.put(job.id, stored, JSON.stringify(result), keepSecondsOf(bullJob));
      return { version: JOB_FORMAT_VERSION, jobId: job.id, stored };
    } catch (error) {
      if (!(error instanceof WorkerStopping) || !token) throw error;
      await bullJob.moveToWait(token);
      onEvent({ type: 'job-returned', jobId: job.id });
      throw new WaitingError();
    }
  };

  const runUntilStopped = (job: JobSpec, bullJob: Job, signal: AbortSignal | undefined): Promise<JobResult> =>
    new Promise<JobResult>((done, fail) => {
      let result: JobResult | undefined;
      const subscription = runTrainingJob(job, { dataRoots, backend: options.backend }).subscribe({
        next: (event) => {
          if (event.type === 'result') result = event.result;
          else {
            onEvent({ type: 'job-epoch', jobId: job.id, stats: event.stats });
            bullJob.updateProgress(event.stats).catch(() => {});
          }
        },
        error: fail,
        complete: () => done(result!),
      });
      signal?.addEventListener(
        'abort',
        () => {
          subscription.unsubscribe();
          fail(new WorkerStopping());
        },
        { once: true },
      );
    });

  const worker: Worker = new Worker(queueName, processor, {
    connection: redisOptions(target),
    concurrency,
    name,
    lockDuration: stalledSeconds * 1000,
    stalledInterval: Math.max(500, (stalledSeconds * 1000) / 2),
    // a job whose worker was lost twice may be one that kills its workers; a third loss fails it
    maxStalledCount: 2,
  });
  const started = new Map<string, number>();
  worker.on('active', (job) => started.set(job.id!, performance.now()));
  worker.on('completed', (job) => {
    const seconds = (performance.now() - (started.get(job.id!) ?? performance.now())) / 1000;
    started.delete(job.id!);
    const validAccuracy = accuracies.get(job.id!);
    accuracies.delete(job.id!);
    onEvent({ type: 'job-done', jobId: job.id!, seconds, ...(validAccuracy === undefined ? {} : { validAccuracy }) });
  });
  worker.on('failed', (job, error) => {
    if (!job || error instanceof WaitingError || error.name === 'WaitingError') return;
    started.delete(job.id!);
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    onEvent({ type: 'job-failed', jobId: job.id!, error: errorLine(error), attempt: job.attemptsMade, final });
  });
  let lastError = '';
  worker.on('error', (error) => {
    // a Redis outage repeats the same error on every reconnect: say it once
    const message = errorLine(error);
    if (message !== lastError) onEvent({ type: 'error', message });
    lastError = message;
  });
  await worker.waitUntilReady();
  return {
    name,
    stop: async () => {
      worker.cancelAllJobs('worker stopping');
      await worker.close();
      await store.close();
    },
  };
}

/** How long the job's queue keeps it once finished (its `removeOnComplete` age), and so its result. */
function keepSecondsOf(job: Job): number {
  const keep = job.opts.removeOnComplete;
  return typeof keep === 'object' && 'age' in keep && keep.age !== undefined ? keep.age : DEFAULT_KEEP_SECONDS;
}

/** The data roots, absolute, each an existing directory; a one-line error naming the first that is not. */
async function checkDataRoots(roots: readonly string[]): Promise<string[]> {
  if (roots.length === 0) throw new UserError('serveQueue: dataRoots must name at least one directory jobs may read from');
  return Promise.all(
    roots.map(async (root) => {
      const info = await stat(root).catch(() => undefined);
      if (!info?.isDirectory()) throw new UserError(`data root ${root}: ${info ? 'not a directory' : 'no such directory'}`);
      return resolve(root);
    }),
  );
}
