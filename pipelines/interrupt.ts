import type { Observable } from 'rxjs';
import { setJobRunning } from './pipes.ts';
import { InterruptedError } from '../lib/errors.ts';
import { commitInProgress, readRunManifest, runsSettled, type RunManifest } from '../lib/io/runDir.ts';
import { runnersSettled } from '../lib/jobs/runners/runnersSettled.ts';

/** What an out dir holds, in a few words: `run 20261130T081500Z-3fa2c1 (digits run, finished 08:15:02)`. */
export function describeHeldRun(manifest: RunManifest | undefined): string {
  if (!manifest) return 'no finished run';
  const finished = manifest.finished.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `run ${manifest.runId} (${manifest.command}, finished ${finished})`;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs a job to completion, or until Ctrl-C (or SIGTERM): then it unsubscribes, which stops training
 * between batches and drops the run's staged files, waits for a commit already under way (a second
 * Ctrl-C does not split it), and fails with a one-line InterruptedError that says which run `outDir`
 * holds now. A second Ctrl-C outside a commit stops the process at once: the out dir is never
 * half-written either way, and the next run there removes what this one staged.
 */
export function interruptible(job: Observable<unknown>, outDir: string, thisRun: () => string | undefined = () => undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let interrupted = false;
    const stopListening = (): void => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      setJobRunning(false);
    };
    const subscription = job.subscribe({
      error: (error: unknown) => {
        stopListening();
        reject(error);
      },
      complete: () => {
        stopListening();
        resolve();
      },
    });
    function onSignal(): void {
      if (interrupted) {
        if (commitInProgress()) {
          process.stderr.write('digits: finishing the commit of the output directory first\n');
          return;
        }
        process.stderr.write(`digits: interrupted again: stopped at once; ${outDir} holds what it held before this run\n`);
        process.exit(130);
      }
      interrupted = true;
      subscription.unsubscribe();
      void report();
    }
    async function report(): Promise<void> {
      // a commit under way finishes (a failed one leaves the previous set, which the manifest tells),
      // the dropped run's staged files are removed and a queue's waiting jobs taken back before the
      // process exits
      await Promise.all([runsSettled(), runnersSettled()]);
      try {
        const held = await readRunManifest(outDir);
        const ours = held !== undefined && held.runId === thisRun();
        stopListening();
        reject(
          new InterruptedError(
            ours
              ? `interrupted after the run was complete: ${outDir} holds this run, ${describeHeldRun(held)}`
              : `interrupted: nothing of this run was kept; ${outDir} holds ${describeHeldRun(held)}`,
          ),
        );
      } catch (error) {
        stopListening();
        reject(error);
      }
    }
    setJobRunning(true);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
}
