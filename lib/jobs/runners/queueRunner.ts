import { isDeepStrictEqual } from 'node:util';
import type { Queue, QueueEvents } from 'bullmq';
import { Observable, type Subscriber } from 'rxjs';
import { UserError } from '../../errors.ts';
import type { EpochStats } from '../../types.ts';
import { decodeJobResult } from '../jobWire.ts';
import { JOB_FORMAT_VERSION, type JobResult, type JobSpec } from '../trainingJob.ts';
import { DEFAULT_ATTEMPTS, errorLine, type JobOutcome, type JobRunner } from './jobRunner.ts';
import { checkRedis, DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_QUEUE_NAME, parseRedisUrl, redisOptions } from './redisConnection.ts';
import { openResultStore, type ResultStore } from './resultStore.ts';
import { settleLater } from './runnersSettled.ts';

// defined in redisConnection.ts, which the CLI loads for its options without bullmq, ajv or tfjs
export { DEFAULT_QUEUE_NAME } from './redisConnection.ts';

/** Options of {@link queueRunner}. */
export interface QueueRunnerOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: string;
  /** The BullMQ queue (default {@link DEFAULT_QUEUE_NAME}); workers must serve the same one. */
  queueName?: string;
  /** Tries per job before it is reported failed (default 2). A worker lost mid-job does not use one up. */
  attempts?: number;
  /** Seconds to wait for Redis to answer at the start (default 10). */
  connectTimeoutSeconds?: number;
  /** Seconds Redis keeps a finished job's result for a coordinator that restarts (default 7 days). */
  keepSeconds?: number;
  /** Seconds between a failed attempt and the next (default 1). */
  retryDelaySeconds?: number;
  /** Seconds between checks of the unfinished jobs' states, in case an event was missed (default 5). */
  rescanSeconds?: number;
}

/** Seconds Redis keeps a finished job and its result by default, for a coordinator that restarts. */
export const DEFAULT_KEEP_SECONDS = 7 * 24 * 3600;

/**
 * What a queue worker returns for a job: where the attempt left its result (see `ResultStore`), so
 * that BullMQ's job and event stream carry a few bytes, not the megabytes of a result.
 */
export interface StoredResultReference {
  version: typeof JOB_FORMAT_VERSION;
  jobId: string;
  /** The attempt's field in the job's result hash. */
  stored: string;
}
/** Job states in which a job waits for a worker: the ones a cancelled coordinator takes back. */
const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * A {@link JobRunner} on a BullMQ queue in Redis, served by `digits worker` processes on any machine
 * (see `serveQueue`). Redis is checked before anything is sent (a wrong URL, password or an
 * unreachable server is one line). Each job is added under its own id, so submitting a run again
 * never runs a job twice: a coordinator restarted with the same run id takes the results of the
 * jobs that finished (Redis keeps them for `keepSeconds`, or until `discard`), re-queues the ones
 * that failed and waits for the rest. A job a killed worker held goes back to the queue when its lock
 * expires, and its one result is counted once. Unsubscribing removes the run's jobs still waiting
 * for a worker; running ones finish and keep their results for a resumed run.
 *
 * @example
 * const runner = await queueRunner({ url: 'redis://10.0.0.5:6379' });
 * runner.run(jobs).subscribe((outcome) => console.log(outcome.type, outcome.job.id));
 */
export async function queueRunner(options: QueueRunnerOptions): Promise<JobRunner> {
  const {
    queueName = DEFAULT_QUEUE_NAME,
    attempts = DEFAULT_ATTEMPTS,
    connectTimeoutSeconds = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    keepSeconds = DEFAULT_KEEP_SECONDS,
    retryDelaySeconds = 1,
    rescanSeconds = 5,
  } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new UserError(`queueRunner: attempts must be an integer >= 1, got ${attempts}`);
  checkQueueName(queueName);
  const target = parseRedisUrl(options.url);
  await checkRedis(target, connectTimeoutSeconds);
  const { Queue, QueueEvents } = await import('bullmq');
  const connection = redisOptions(target);
  const queue: Queue = new Queue(queueName, { connection });
  // a dropped connection is retried by ioredis; commands wait for it
  queue.on('error', () => {});
  const store = await openResultStore(target, queueName);
  const jobOptions = {
    attempts,
    backoff: { type: 'fixed', delay: retryDelaySeconds * 1000 },
    removeOnComplete: { age: keepSeconds },
    removeOnFail: { age: keepSeconds },
  };

  /**
   * Adds the jobs not in the queue yet; one already there (an earlier attempt at this run) is taken
   * over, and tried again if it failed. Each job taken is added to `owned`.
   */
  const submit = async (jobs: readonly JobSpec[], owned: Set<string>): Promise<void> => {
    const fresh: JobSpec[] = [];
    for (const job of jobs) {
      const existing = await queue.getJob(job.id);
      if (!existing) {
        fresh.push(job);
        continue;
      }
      if (!isDeepStrictEqual(existing.data, JSON.parse(JSON.stringify(job)))) {
        throw new UserError(`queue ${queueName} already holds job ${job.id} with other settings: give this run another run id`);
      }
      owned.add(job.id);
      if ((await existing.getState()) === 'failed') await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    if (fresh.length > 0) await queue.addBulk(fresh.map((job) => ({ name: job.kind, data: job, opts: { jobId: job.id, ...jobOptions } })));
    for (const job of fresh) owned.add(job.id);
  };

  return {
    description: `queue ${queueName} at ${target.display}`,
    run: (jobs) =>
      new Observable<JobOutcome>((subscriber) => {
        const events: QueueEvents = new QueueEvents(queueName, { connection });
        events.on('error', () => {});
        const tracker = new RunTracker(jobs, subscriber, store);
        /** The jobs this run added or took over: the only ones it takes back when cancelled. */
        const owned = new Set<string>();
        events.on('active', ({ jobId }) => tracker.started(jobId));
        events.on('progress', ({ jobId, data }) => tracker.epoch(jobId, data));
        events.on('completed', ({ jobId, returnvalue }) => tracker.completed(jobId, returnvalue));
        events.on('failed', ({ jobId, failedReason }) => {
          if (tracker.isOpen(jobId)) void attemptsOf(queue, jobId).then((made) => tracker.failed(jobId, failedReason, made));
        });
        /** Settles what finished while no event reached us (before we listened, or a dropped connection). */
        const rescan = async (): Promise<void> => {
          for (const id of tracker.openIds()) {
            // the state first: a finished job stays finished, so what is read next is its outcome
            const state = await queue.getJobState(id);
            if (state === 'unknown') await submit([tracker.job(id)], owned);
            if (state !== 'completed' && state !== 'failed') continue;
            const job = await queue.getJob(id);
            if (state === 'completed') tracker.completed(id, job?.returnvalue);
            else tracker.failed(id, job?.failedReason, job?.attemptsMade ?? attempts);
          }
        };
        let timer: NodeJS.Timeout | undefined;
        const starting = (async () => {
          // listening first, then adding: no event of these jobs can be missed
          await events.waitUntilReady();
          await submit(jobs, owned);
          if (subscriber.closed) return;
          await rescan();
          if (!subscriber.closed) timer = setInterval(() => void rescan().catch(() => {}), rescanSeconds * 1000);
        })();
        starting.catch((error: unknown) => subscriber.error(error));
        return () => {
          clearInterval(timer);
          settleLater(
            (async () => {
              // what is being added now is added before the waiting jobs are taken back
              await starting.catch(() => {});
              clearInterval(timer);
              await events.close();
              const open = tracker.openIds().filter((id) => owned.has(id));
              if (open.length > 0) await removeWaiting(queue, open);
            })(),
          );
        };
      }),
    discard: async (jobs) => {
      for (const job of jobs) {
        const state = await queue.getJobState(job.id);
        if (state === 'completed' || state === 'failed') await queue.remove(job.id);
        await store.remove(job.id);
      }
    },
    close: async () => {
      await queue.close();
      await store.close();
    },
  };
}

/** The outcomes of one run's jobs: each settles once, from whichever source (event or rescan) comes first. */
class RunTracker {
  private readonly jobs: Map<string, JobSpec>;
  private readonly open: Set<string>;

  constructor(
    jobs: readonly JobSpec[],
    private readonly subscriber: Subscriber<JobOutcome>,
    private readonly store: ResultStore,
  ) {
    this.jobs = new Map(jobs.map((job) => [job.id, job]));
    this.open = new Set(this.jobs.keys());
    if (this.open.size === 0) subscriber.complete();
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  openIds(): string[] {
    return [...this.open];
  }

  job(id: string): JobSpec {
    return this.jobs.get(id)!;
  }

  started(id: string): void {
    if (this.open.has(id)) this.subscriber.next({ type: 'started', job: this.job(id) });
  }

  epoch(id: string, data: unknown): void {
    if (this.open.has(id) && isEpochStats(data)) this.subscriber.next({ type: 'epoch', job: this.job(id), stats: data });
  }

  /** A job completed: its result is fetched from the store the return value names, then settled (once). */
  completed(id: string, returnvalue: unknown): void {
    if (!this.open.has(id)) return;
    const job = this.job(id);
    void this.fetch(job, returnvalue).then(
      (result) => this.open.has(id) && this.settle(id, { type: 'done', job, result }),
      (error: unknown) => this.open.has(id) && this.settle(id, { type: 'failed', job, error: errorLine(error), attempts: 1 }),
    );
  }

  private async fetch(job: JobSpec, returnvalue: unknown): Promise<JobResult> {
    const reference = returnvalue as Partial<StoredResultReference> | null;
    if (reference?.jobId !== job.id || typeof reference.stored !== 'string') throw new Error(`result of job ${job.id}: the worker's answer names no stored result`);
    const json = await this.store.get(job.id, reference.stored);
    if (json === undefined) throw new Error(`result of job ${job.id}: no longer in Redis (expired or discarded)`);
    return decodeJobResult(JSON.parse(json), job);
  }

  failed(id: string, reason: string | undefined, attempts: number): void {
    if (this.open.has(id)) this.settle(id, { type: 'failed', job: this.job(id), error: reason ?? 'failed', attempts });
  }

  private settle(id: string, outcome: JobOutcome): void {
    this.open.delete(id);
    this.subscriber.next(outcome);
    if (this.open.size === 0) this.subscriber.complete();
  }
}

async function attemptsOf(queue: Queue, id: string): Promise<number> {
  return (await queue.getJob(id))?.attemptsMade ?? 1;
}

function isEpochStats(data: unknown): data is EpochStats {
  const stats = data as Partial<EpochStats> | null;
  return typeof stats === 'object' && stats !== null && typeof stats.epoch === 'number' && typeof stats.loss === 'number' && typeof stats.accuracy === 'number';
}

/** Removes those of `ids` that wait for a worker; running and finished ones stay. */
async function removeWaiting(queue: Queue, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    if (WAITING_STATES.has(await queue.getJobState(id))) await queue.remove(id);
  }
}

/** BullMQ's rule for queue names, as a one-line error. */
export function checkQueueName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new UserError(`queue name must be 1-100 letters, digits, '_', '.' or '-', got '${name}'`);
}
