/**
 * One `digits run` in a fresh process, timed as a user meets it, its submissions scored against
 * held-out answers: what bench:e2e and bench:recipes measure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { score } from '../../lib/io/submission.ts';

export const root = join(import.meta.dirname, '../..');

/** What metrics.json says of one model, as far as the benches read it. */
export interface RunModel {
  model: string;
  epochs: number;
  backend: string;
  /** Accuracy on the validation split, the only one recipes are chosen on. */
  valid: { accuracy: number };
  timings: { trainSeconds: number; predictSeconds: number };
  ensemble?: { members: Array<{ testAccuracy?: number; validAccuracy: number }> };
}

export interface TimedRun {
  wallSeconds: number;
  loadBefore: number;
  loadAfter: number;
  /** Held-out accuracy of each model's submission. */
  accuracy: Record<string, number>;
  models: RunModel[];
}

/** Runs `digits run --quiet ...args` into a temporary out dir and scores each model's submission against `answers`. */
export async function timedRun(args: readonly string[], answers: string): Promise<TimedRun> {
  const out = await mkdtemp(join(tmpdir(), 'digit-flow-bench-'));
  try {
    const loadBefore = loadavg()[0];
    const started = performance.now();
    await promisify(execFile)(process.execPath, [join(root, 'dist/pipelines/digits.js'), 'run', '--quiet', '--out', out, ...args], {
      cwd: root,
      maxBuffer: 64 << 20,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const { models } = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as { models: RunModel[] };
    const accuracy: Record<string, number> = {};
    for (const { model } of models) accuracy[model] = (await score(join(out, `submission-${model}.csv`), answers)).accuracy;
    return { wallSeconds, loadBefore, loadAfter: loadavg()[0], accuracy, models };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Where the wall time went, from the run's own metrics. */
export function describeTimings(run: TimedRun): string[] {
  let modelSeconds = 0;
  const lines = run.models.map(({ model, epochs, timings, ensemble }) => {
    modelSeconds += timings.trainSeconds + timings.predictSeconds;
    const members = ensemble ? `${ensemble.members.length} members x ` : '';
    const summed = ensemble ? ' (the members\' seconds added up)' : '';
    return `  ${model}: ${members}${epochs} epochs trained in ${timings.trainSeconds.toFixed(0)} s, predictions in ${timings.predictSeconds.toFixed(1)} s${summed}`;
  });
  if (run.models.some((m) => m.ensemble)) lines.push('  (ensemble members trained side by side: no share of the wall time is left to attribute)');
  else lines.push(`  everything else (start-up, data, EDA, report, files): ${(run.wallSeconds - modelSeconds).toFixed(0)} s`);
  return lines;
}
