/*
 * The entry of a local worker process, forked by `localRunner` (never imported): it selects the
 * backend it is told, then runs the jobs its parent sends over the IPC channel, one at a time, and
 * sends back their epochs and results. It exits when its parent goes away.
 */
import { parseArgs } from 'node:util';
import type { Subscription } from 'rxjs';
import { parseBackendChoice, selectBackend } from '../../backend/selectBackend.ts';
import { encodeJobResult } from '../jobWire.ts';
import { runTrainingJob } from '../runTrainingJob.ts';
import { parseJob } from '../trainingJob.ts';
import { errorLine } from './jobRunner.ts';
import type { ChildMessage, ParentMessage } from './localRunner.ts';

const send = (message: ChildMessage): void => {
  process.send?.(message);
};

// the parent stops this process when it wants; a Ctrl-C meant for the parent is not for us
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, threads: { type: 'string' } } });
let backendName: string;
try {
  const backend = await selectBackend({ backend: parseBackendChoice(values.backend!), threads: values.threads === undefined ? undefined : Number(values.threads) });
  backendName = backend.name;
  send({ type: 'ready', backend: backend.reason });
} catch (error) {
  send({ type: 'fatal', error: errorLine(error) });
  process.disconnect();
  process.exit(1);
}

let running: Subscription | undefined;
process.on('message', (message: ParentMessage) => {
  if (message.type !== 'run' || running) return;
  const { jobId } = message;
  let job;
  try {
    job = parseJob(message.job);
  } catch (error) {
    send({ type: 'failed', jobId, error: errorLine(error), retry: false });
    return;
  }
  running = runTrainingJob(job, { backend: backendName }).subscribe({
    next: (event) => {
      if (event.type === 'epoch') return send({ type: 'epoch', jobId, stats: event.stats });
      // free for the next job before the parent hears of this one's end
      running = undefined;
      send({ type: 'done', jobId, result: encodeJobResult(event.result) });
    },
    error: (error: unknown) => {
      running = undefined;
      send({ type: 'failed', jobId, error: errorLine(error), retry: true });
    },
    complete: () => (running = undefined),
  });
});
