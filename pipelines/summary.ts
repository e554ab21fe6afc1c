import type { ModelMetrics } from '../lib/index.ts';

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** The lines a user reads at the end of a model's training. */
export function describeModelResult(metrics: ModelMetrics, files?: { [name: string]: string } | object): string {
  const test = metrics.test ? `, held-out test accuracy ${percent(metrics.test.accuracy)} (${metrics.test.count.toLocaleString('en-US')} images)` : '';
  const lines = [
    `${metrics.model}: validation accuracy ${percent(metrics.valid.accuracy)}${test}`,
    `  ${metrics.parameters.toLocaleString('en-US')} parameters, ${metrics.epochs} epochs in ${metrics.timings.trainSeconds.toFixed(1)} s (${Math.round(metrics.timings.samplesPerSec).toLocaleString('en-US')} samples/s) on ${metrics.backend}`,
  ];
  if (files) lines.push(`  wrote ${Object.values(files).filter((path) => path !== undefined).join(', ')}`);
  return lines.join('\n');
}

/** The command line as typed, for the out dir's manifest: `digits run --quick`. */
export function commandLine(argv: readonly string[] = process.argv): string {
  return ['digits', ...argv.slice(2)].join(' ');
}
