import {
  checkRedis,
  InterruptedError,
  parseRedisUrl,
  selectBackend,
  serveQueue,
  type BackendChoice,
  type QueueWorkerEvent,
  type Reporter,
} from '../lib/index.ts';
import { setJobRunning } from './pipes.ts';
import { createReporter, type ReporterMode } from './progress.ts';

/** Options of `digits worker`. */
export interface WorkerCommandOptions {
  /** `--queue redis://host:port`. */
  queue: string;
  queueName: string;
  concurrency: number;
  /** `--data-root DIR`, repeatable (default: the current directory). */
  dataRoot: string[];
  backend: BackendChoice;
  threads?: number;
  /** `--stalled-after S`: seconds after which a lost worker's job goes to another worker. */
  stalledAfter?: number;
  reporter: ReporterMode;
}

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * `digits worker`: serves a BullMQ queue until Ctrl-C (or SIGTERM), which hands the running jobs
 * back to the queue and exits with code 130; a second Ctrl-C exits at once (the job then goes to
 * another worker when its lock expires).
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  // a wrong URL or an unreachable Redis is reported before the backend takes its second to load
  const target = parseRedisUrl(options.queue, '--queue');
  await checkRedis(target);
  const reporter = createReporter(options.reporter);
  try {
    const backend = await selectBackend({ backend: options.backend, threads: options.threads });
    reporter.info(`backend: ${backend.reason}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`);
    const roots = options.dataRoot.length > 0 ? options.dataRoot : [process.cwd()];
    const worker = await serveQueue({
      url: options.queue,
      queueName: options.queueName,
      concurrency: options.concurrency,
      dataRoots: roots,
      backend: backend.name,
      stalledSeconds: options.stalledAfter,
      onEvent: (event) => reportEvent(reporter, event),
    });
    reporter.event({ type: 'worker-ready', worker: worker.name, queue: options.queueName, url: target.display });
    reporter.info(
      `worker ${worker.name}: serving queue ${options.queueName} at ${target.display}, ${options.concurrency} job${options.concurrency === 1 ? '' : 's'} at a time; data roots: ${roots.join(', ')}`,
    );
    await untilInterrupted();
    reporter.info('stopping: running jobs go back to the queue');
    await worker.stop();
    throw new InterruptedError(`worker ${worker.name} stopped`);
  } finally {
    reporter.close();
  }
}

/** Resolves at the first Ctrl-C or SIGTERM; the second one exits at once. */
function untilInterrupted(): Promise<void> {
  setJobRunning(true);
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(130));
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

function reportEvent(reporter: Reporter, event: QueueWorkerEvent): void {
  reporter.event(event);
  switch (event.type) {
    case 'job-started':
      return reporter.info(`${event.jobId}: ${event.job}, attempt ${event.attempt}`);
    case 'job-epoch':
      return reporter.info(`${event.jobId}: epoch ${event.stats.epoch}: loss ${event.stats.loss.toFixed(4)} acc ${percent(event.stats.accuracy)}`);
    case 'job-done':
      return reporter.info(`${event.jobId}: done in ${event.seconds.toFixed(1)} s${event.validAccuracy === undefined ? '' : `, validation accuracy ${percent(event.validAccuracy)}`}`);
    case 'job-failed':
      return reporter.info(`${event.jobId}: attempt ${event.attempt} failed${event.final ? ' (no more attempts)' : ''}: ${event.error}`);
    case 'job-returned':
      return reporter.info(`${event.jobId}: handed back to the queue`);
    case 'error':
      return reporter.info(`queue: ${event.message}`);
  }
}
