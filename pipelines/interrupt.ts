import { readdir } from 'node:fs/promises';
import type { Observable } from 'rxjs';
import { InterruptedError } from '../lib/index.ts';

/** The finished files in `dir` (temporary files of unfinished writes are not listed). */
async function keptFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.endsWith('.tmp')).sort();
  } catch {
    return [];
  }
}

/**
 * Runs a job to completion, or until Ctrl-C: then it unsubscribes, which stops training between
 * batches and frees its tensors, and fails with a one-line InterruptedError that says what `outDir`
 * kept. Every output is written under a temporary name and renamed, so nothing kept is half-written.
 */
export function interruptible(job: Observable<unknown>, outDir: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const subscription = job.subscribe({
      error: (error: unknown) => {
        process.off('SIGINT', onInterrupt);
        reject(error);
      },
      complete: () => {
        process.off('SIGINT', onInterrupt);
        resolve();
      },
    });
    function onInterrupt(): void {
      subscription.unsubscribe();
      process.off('SIGINT', onInterrupt);
      keptFiles(outDir).then((kept) => {
        const what = kept.length ? `kept in ${outDir}/: ${kept.join(', ')}` : `nothing was written to ${outDir}/`;
        reject(new InterruptedError(`interrupted: stopped between batches; ${what} (every file there is complete)`));
      }, reject);
    }
    process.on('SIGINT', onInterrupt);
  });
}
