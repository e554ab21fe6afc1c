/** Clean-ups cancelled runners still have under way. */
const pending = new Set<Promise<unknown>>();

/**
 * Registers clean-up work a runner does after it was cancelled (removing its waiting jobs from a
 * queue), so that an interrupted command can wait for it before it exits.
 */
export function settleLater(work: Promise<unknown>): void {
  const tracked = work.catch(() => {}).finally(() => pending.delete(tracked));
  pending.add(tracked);
}

/**
 * Resolves once the clean-ups of every cancelled job runner of this process are done (failed ones
 * included): an interrupt waits for this before it reports and exits.
 *
 * @example
 * subscription.unsubscribe();
 * await runnersSettled(); // the queue no longer holds this run's waiting jobs
 */
export async function runnersSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
