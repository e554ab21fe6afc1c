/**
 * A reader that goes away (`digits check F | head -1`) closes our stdout: writes then fail with
 * EPIPE. The command goes on quietly, its output discarded, and ends with its usual exit code, so a
 * training run whose log is cut short still writes its files.
 */
export function quietOnClosedPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      // later writes go nowhere instead of failing again
      stream.write = (() => true) as typeof stream.write;
    });
  }
}

let jobRunning = false;

/** Marks the span in which a job handles Ctrl-C itself (see `interruptible`). */
export function setJobRunning(running: boolean): void {
  jobRunning = running;
}

/**
 * Ctrl-C (or SIGTERM) outside a job's own handling — while the backend starts, options are checked,
 * or `digits data` writes its files — ends the command at once with exit code 130. Files being
 * written are removed at exit (see `writeFileAtomic`); finished ones are whole.
 */
export function interruptBeforeWork(): void {
  const stop = (): void => {
    if (jobRunning) return;
    process.stderr.write('digits: interrupted; no file is left half-written\n');
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
