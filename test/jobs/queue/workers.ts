import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './fixtures.ts';

/** One JSON event a `digits worker --json` printed. */
export interface WorkerEvent {
  type: string;
  jobId?: string;
  worker?: string;
  [key: string]: unknown;
}

/** A `digits worker` process of a test, with the events it printed so far. */
export interface WorkerProcess {
  /** `host:pid`, as its results record it. */
  name: string;
  pid: number;
  events: WorkerEvent[];
  /** The ids of the jobs it ran to completion (`job-done`). */
  done(): string[];
  /** Resolves with the first event that satisfies `match` (already printed or to come). */
  next(match: (event: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Starts `digits worker --json` on the queue at `url` (from the built CLI), serving `dataRoot`, with
 * `--stalled-after 2` so that the job of a killed worker goes to another within seconds; resolves
 * once it serves.
 */
export async function startWorker(url: string, dataRoot: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--data-root', dataRoot, '--stalled-after', '2', '--json', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const events: WorkerEvent[] = [];
  const waiters: Array<{ match: (event: WorkerEvent) => boolean; resolve: (event: WorkerEvent) => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as WorkerEvent;
      events.push(event);
      for (const waiter of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const next = (match: (event: WorkerEvent) => boolean, timeoutMs = 60_000): Promise<WorkerEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid}: no matching event within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs).unref();
      waiters.push({ match, resolve: (event) => (clearTimeout(timer), resolve(event)) });
      void exited.then(({ code, signal }) => reject(new Error(`worker ${child.pid} exited (${signal ?? code}) before the event; stderr: ${stderr}`)));
    });
  };
  const ready = await next((event) => event.type === 'worker-ready');
  return {
    name: ready.worker as string,
    pid: child.pid!,
    events,
    done: () => events.filter((e) => e.type === 'job-done').map((e) => e.jobId!),
    next,
    kill: (signal) => child.kill(signal),
    exited,
  };
}

/** The first of `workers` to print an event that satisfies `match`, with that event. */
export function firstEvent(workers: readonly WorkerProcess[], match: (event: WorkerEvent) => boolean, timeoutMs = 60_000): Promise<{ worker: WorkerProcess; event: WorkerEvent }> {
  return new Promise((resolve, reject) => {
    let waiting = workers.length;
    for (const worker of workers) {
      worker.next(match, timeoutMs).then(
        (event) => resolve({ worker, event }),
        // the others' waits end with the test: only all of them failing is a failure
        (error: unknown) => --waiting === 0 && reject(error),
      );
    }
  });
}

/**
 * Waits until one of `workers` has printed `job-done` for each of `ids`, or `timeoutMs` has passed:
 * a coordinator can hear of a completion from Redis before the worker's line comes through its
 * stdout pipe. A line that never comes is left for the caller's own check of `done()` to name.
 */
export async function jobDoneLines(workers: readonly WorkerProcess[], ids: readonly string[], timeoutMs = 10_000): Promise<void> {
  const reported = (id: string) => (event: WorkerEvent) => event.type === 'job-done' && event.jobId === id;
  await Promise.all(ids.map((id) => firstEvent(workers, reported(id), timeoutMs).catch(() => undefined)));
}

/** Stops workers still running (SIGKILL: their jobs are the test's, and the test is over). */
export async function killWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}
