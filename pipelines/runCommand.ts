import { join } from 'node:path';
import { type BackendChoice, localRunner, queueRunner, startBackend, type JobRunner } from '../lib/index.ts';
import { interruptible } from './interrupt.ts';
import { createReporter, type ReporterMode } from './progress.ts';
import { runJob, type RunOptions, type RunResult } from '../reports/index.ts';
import { commandLine, describeModelResult } from './summary.ts';

export interface RunCommandOptions extends RunOptions {
  backend: BackendChoice;
  reporter: ReporterMode;
  /** `--queue URL`: every model trains as jobs on this BullMQ queue; without it, ensembles train on local worker processes. */
  queue?: string;
  queueName?: string;
  /** Tries per job. */
  attempts?: number;
}

/** `digits run` (`npm start`): the whole job, with progress and a final summary. */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  let result: RunResult | undefined;
  let runId: string | undefined;
  let runner: JobRunner | undefined;
  try {
    // a queue that cannot be reached is one line before the backend loads
    if (options.queue) runner = await queueRunner({ url: options.queue, queueName: options.queueName, attempts: options.attempts });
    const backend = await startBackend(options.backend, reporter);
    // worker processes start only when an ensemble needs them
    runner ??= localRunner({ backend: backend.name, attempts: options.attempts });
    const runnerFor = options.queue ? 'all' : 'ensembles';
    const job$ = runJob({ ...options, runner, runnerFor, command: commandLine(), onOpen: (run) => (runId = run.runId) }, backend, reporter, (r) => (result = r));
    await interruptible(job$, options.out, () => runId);
  } finally {
    await runner?.close();
    reporter.close();
  }
  if (!result) return;
  if (options.reporter === 'json') {
    reporter.event({ type: 'result', ...result, models: result.models.map((m) => ({ ...m, testPredictions: undefined })) });
    return;
  }
  const lines = [
    ...result.models.map((m) => describeModelResult(m)),
    `wrote ${result.files.map((f) => f.submission).join(', ')}, ${result.metrics}, saved models (${result.files.map((f) => f.model).join(', ')})`,
    `report: ${result.report}`,
    `${options.out} holds run ${result.runId} (manifest: ${join(options.out, 'run.json')})`,
    `done in ${result.seconds.toFixed(0)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
