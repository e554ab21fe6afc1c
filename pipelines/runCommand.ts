import { join } from 'node:path';
import { type BackendChoice, startBackend } from '../lib/index.ts';
import { interruptible } from './interrupt.ts';
import { createReporter, type ReporterMode } from './progress.ts';
import { runJob, type RunOptions, type RunResult } from '../reports/index.ts';
import { commandLine, describeModelResult } from './summary.ts';

export interface RunCommandOptions extends RunOptions {
  backend: BackendChoice;
  reporter: ReporterMode;
}

/** `digits run` (`npm start`): the whole job, with progress and a final summary. */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  let result: RunResult | undefined;
  let runId: string | undefined;
  try {
    const backend = await startBackend(options.backend, reporter);
    const job$ = runJob({ ...options, command: commandLine(), onOpen: (run) => (runId = run.runId) }, backend, reporter, (r) => (result = r));
    await interruptible(job$, options.out, () => runId);
  } finally {
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
