import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Observable } from 'rxjs';
import type { BackendChoice, BackendName } from '../../backend/selectBackend.ts';
import { UserError } from '../../errors.ts';
import type { EpochStats } from '../../types.ts';
import { decodeJobResult, type EncodedJobResult } from '../jobWire.ts';
import type { JobSpec } from '../trainingJob.ts';
import { DEFAULT_ATTEMPTS, errorLine, type JobOutcome, type JobRunner } from './jobRunner.ts';

/** What the parent sends a local worker process. */
export type ParentMessage = { type: 'run'; jobId: string; job: JobSpec };

/** What a local worker process sends its parent. */
export type ChildMessage =
  | { type: 'ready'; backend: string }
  | { type: 'fatal'; error: string }
  | { type: 'epoch'; jobId: string; stats: EpochStats }
  | { type: 'done'; jobId: string; result: EncodedJobResult }
  | { type: 'failed'; jobId: string; error: string; retry: boolean };

/** Options of {@link localRunner}. */
export interface LocalRunnerOptions {
  /** The backend each worker process selects (default 'auto'; give the one this process runs on). */
  backend?: BackendChoice;
  /** Threads each job computes on (default {@link defaultThreadsPerJob} of the backend). */
  threadsPerJob?: number;
  /** Worker processes (default: the cores divided by the threads per job, at least one). */
  workers?: number;
  /** Tries per job before it is reported failed; a worker process that dies counts as a failed try (default 2). */
  attempts?: number;
}

/**
 * Threads one job computes on by default: one, so that jobs run side by side, one per core (each
 * backend's threads scale less than linearly: `npm run bench:workers` trained four CNN members on 2
 * cores 1.20x faster as two one-thread processes than one after another on two threads); tfjs-node
 * keeps its own pool of every core.
 */
export function defaultThreadsPerJob(backend: BackendChoice | BackendName, cores = availableParallelism()): number {
  return backend === 'tensorflow' ? cores : 1;
}

/**
 * How many jobs this machine runs side by side: its cores divided by the threads each job uses, at least one.
 *
 * @example
 * localWorkerCount(2, 1); // 2: on 2 cores, two one-thread jobs at a time
 * localWorkerCount(2, 2); // 1: jobs of 2 threads each run one after another
 */
export function localWorkerCount(cores: number, threadsPerJob: number): number {
  return Math.max(1, Math.floor(cores / threadsPerJob));
}

/** The worker entry next to this module: compiled JavaScript in the package, TypeScript (through tsx) in the repository. */
function workerEntry(): { path: string; execArgv: string[] } {
  const source = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(new URL(`./localWorkerProcess.${source ? 'ts' : 'js'}`, import.meta.url));
  return { path, execArgv: source ? ['--import', 'tsx'] : [] };
}

/** A job waiting for, or running on, a worker process. */
interface Task {
  job: JobSpec;
  attempt: number;
  emit(outcome: JobOutcome): void;
  settle(): void;
  cancelled: boolean;
}

/** One worker process and the task it runs. */
interface Slot {
  child: ChildProcess;
  task?: Task;
  /** The last lines it wrote on stderr, for the message when it dies. */
  stderr: string;
  /** Set when its backend is up. */
  ready: boolean;
}

const STDERR_TAIL = 2000;

/**
 * A {@link JobRunner} on worker processes of this machine: no Redis, nothing to set up. Each worker
 * process selects the backend with the threads a job should use, and runs one job at a time; there
 * are as many as the cores allow (see {@link localWorkerCount}), started when the first jobs come and
 * kept, idle, for the next run until `close()` (idle ones never keep this process alive). A job whose
 * process dies is tried again on a fresh one, up to `attempts`.
 *
 * @example
 * const runner = localRunner({ backend: backend.name });
 * trainEnsemble({ ...options, runner, dataReference }).subscribe(...);
 */
export function localRunner(options: LocalRunnerOptions = {}): JobRunner {
  const { backend = 'auto', attempts = DEFAULT_ATTEMPTS } = options;
  const threads = options.threadsPerJob ?? defaultThreadsPerJob(backend);
  const workers = options.workers ?? localWorkerCount(availableParallelism(), threads);
  for (const [name, value] of [['workers', workers], ['threadsPerJob', threads], ['attempts', attempts]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new UserError(`localRunner: ${name} must be an integer >= 1, got ${value}`);
  }
  const slots = new Set<Slot>();
  const waiting: Task[] = [];

  const spawn = (): Slot => {
    const { path, execArgv } = workerEntry();
    const child = fork(path, ['--backend', backend, '--threads', String(threads)], {
      execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      // its own process group: a Ctrl-C at the terminal is the parent's to handle
      detached: true,
    });
    const slot: Slot = { child, stderr: '', ready: false };
    child.stderr?.on('data', (chunk: Buffer) => (slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_TAIL)));
    child.on('message', (message: ChildMessage) => onMessage(slot, message));
    child.on('exit', (code, signal) => {
      slots.delete(slot);
      const task = slot.task;
      slot.task = undefined;
      if (task && !task.cancelled) fail(task, `local worker process exited (${signal ?? `code ${code}`})${lastLine(slot.stderr)}`, true);
      dispatch();
    });
    child.on('error', () => {});
    slots.add(slot);
    return slot;
  };

  const onMessage = (slot: Slot, message: ChildMessage): void => {
    const task = slot.task;
    if (message.type === 'ready') {
      slot.ready = true;
      if (task) start(slot, task);
      return;
    }
    if (message.type === 'fatal') {
      slot.task = undefined;
      if (task) fail(task, `local worker process could not start: ${message.error}`, false);
      return;
    }
    if (!task || message.jobId !== task.job.id || task.cancelled) return;
    if (message.type === 'epoch') return task.emit({ type: 'epoch', job: task.job, stats: message.stats });
    slot.task = undefined;
    idle(slot);
    if (message.type === 'failed') fail(task, message.error, message.retry);
    else {
      try {
        task.emit({ type: 'done', job: task.job, result: decodeJobResult(message.result, task.job) });
        task.settle();
      } catch (error) {
        fail(task, errorLine(error), true);
      }
    }
    dispatch();
  };

  const fail = (task: Task, error: string, retry: boolean): void => {
    if (retry && task.attempt < attempts) {
      task.attempt += 1;
      waiting.unshift(task);
      return;
    }
    task.emit({ type: 'failed', job: task.job, error, attempts: task.attempt });
    task.settle();
  };

  const dispatch = (): void => {
    while (waiting.length > 0) {
      const free = [...slots].find((slot) => !slot.task);
      const slot = free ?? (slots.size < workers ? spawn() : undefined);
      if (!slot) return;
      const task = waiting.shift()!;
      slot.task = task;
      busy(slot);
      // a new process is sent its job once its backend is up
      if (slot.ready) start(slot, task);
    }
  };

  const start = (slot: Slot, task: Task): void => {
    task.emit({ type: 'started', job: task.job, worker: `${hostname()}:${slot.child.pid}` });
    const message: ParentMessage = { type: 'run', jobId: task.job.id, job: task.job };
    // a process that just died is handled by its exit event
    slot.child.send(message, () => {});
  };

  return {
    description: `${workers} local worker process${workers === 1 ? '' : 'es'} (${threads} thread${threads === 1 ? '' : 's'} each)`,
    run: (jobs) =>
      new Observable<JobOutcome>((subscriber) => {
        let open = jobs.length;
        const tasks = jobs.map(
          (job): Task => ({
            job,
            attempt: 1,
            cancelled: false,
            emit: (outcome) => subscriber.next(outcome),
            settle: () => --open === 0 && subscriber.complete(),
          }),
        );
        if (open === 0) subscriber.complete();
        waiting.push(...tasks);
        dispatch();
        return () => {
          for (const task of tasks) task.cancelled = true;
          waiting.splice(0, waiting.length, ...waiting.filter((task) => !task.cancelled));
          for (const slot of slots) if (slot.task?.cancelled) slot.child.kill('SIGKILL');
        };
      }),
    close: async () => {
      const exits = [...slots].map((slot) => new Promise<void>((resolve) => (slot.child.exitCode !== null || slot.child.signalCode !== null ? resolve() : slot.child.once('exit', () => resolve()))));
      for (const slot of slots) {
        // held until it is gone: an idle process is unreferenced, and its exit must still be awaited
        busy(slot);
        slot.child.kill('SIGKILL');
      }
      await Promise.all(exits);
    },
  };
}

/** A busy worker process keeps this process alive... */
function busy(slot: Slot): void {
  slot.child.ref();
  slot.child.channel?.ref();
}

/** ...an idle one does not. */
function idle(slot: Slot): void {
  slot.child.unref();
  slot.child.channel?.unref();
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').at(-1);
  return line ? `: ${line}` : '';
}
