/** Live values shown beside a progress bar (loss, accuracy, samples/s, ...). */
export type ProgressFields = Record<string, string | number>;

/** One long task: data preparation, parsing, an epoch, prediction, rendering. */
export interface Task {
  /**
   * Reports progress: `done` units of the task's `total` so far (an absolute count, not an increment),
   * with optional live values to show beside it. Reporters may show only some updates.
   */
  update(done: number, fields?: ProgressFields): void;
  /** Ends the task; `summary` is printed as its final line. */
  finish(summary?: string): void;
}

/** Where a job reports what it does: bars on a terminal, plain lines in logs, JSON for programs. */
export interface Reporter {
  /**
   * Starts a task of `total` units (`unit` names them, e.g. 'rows', 'MB', 'batches') and returns the
   * handle to update and finish it; `name` labels its bar or log lines.
   */
  task(name: string, total: number, unit?: string): Task;
  /** A line for the user (suppressed by --quiet, sent as a `message` event by --json). */
  info(message: string): void;
  /** A machine-readable event (emitted only by --json). */
  event(event: { type: string; [key: string]: unknown }): void;
  /** Ends the reporter when the job is done (e.g. stops the terminal bars); call it once, last. */
  close(): void;
}

const silentTask: Task = { update: () => {}, finish: () => {} };

/**
 * A reporter that says nothing: the default for jobs run from code.
 *
 * @example
 * trainModel({ model: 'mlp', data, outDir: 'out', backend: 'cpu', reporter: silentReporter() });
 */
export function silentReporter(): Reporter {
  return { task: () => silentTask, info: () => {}, event: () => {}, close: () => {} };
}
