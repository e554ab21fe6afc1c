import type { ModelMetrics } from '../lib/index.ts';

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** The lines a user reads at the end of a model's training. */
export function describeModelResult(metrics: ModelMetrics, files?: { [name: string]: string } | object): string {
  const test = metrics.test ? `, held-out test accuracy ${percent(metrics.test.accuracy)} (${metrics.test.count.toLocaleString('en-US')} images)` : '';
  const epochs = `${metrics.epochs} epoch${metrics.epochs === 1 ? '' : 's'}`;
  const seconds = metrics.timings.trainSeconds.toFixed(1);
  const speed = Math.round(metrics.timings.samplesPerSec).toLocaleString('en-US');
  // an ensemble's parameters and seconds are its members' added up (they may train side by side), its samples/s their mean
  const size = metrics.ensemble
    ? `${metrics.ensemble.members.length} members, ${metrics.parameters.toLocaleString('en-US')} parameters in all, ${epochs} each: ${seconds} s of training in all (${speed} samples/s a member)`
    : `${metrics.parameters.toLocaleString('en-US')} parameters, ${epochs} in ${seconds} s (${speed} samples/s)`;
  const lines = [`${metrics.model}: validation accuracy ${percent(metrics.valid.accuracy)}${test}`, `  ${size} on ${metrics.backend}`];
  if (files) lines.push(`  wrote ${Object.values(files).filter((path) => path !== undefined).join(', ')}`);
  return lines.join('\n');
}

/** The command line as typed, for the out dir's manifest: `digits run --quick`. */
export function commandLine(argv: readonly string[] = process.argv): string {
  return ['digits', ...argv.slice(2)].join(' ');
}
