import { join } from 'node:path';
import { rebuildReport, writeEdaReport } from '../reports/index.ts';
import { readDataset, resolveTrainFile } from '../lib/index.ts';
import { createReporter, type ReporterMode } from './progress.ts';

export interface EdaCommandOptions {
  train?: string;
  rows: number;
  out: string;
  seed: number;
  reporter: ReporterMode;
}

/** `digits eda`: the EDA page alone, for the whole of a labelled train.csv. */
export async function edaCommand(options: EdaCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  try {
    const file = await resolveTrainFile(options.train, reporter);
    const train = await readDataset(file, reporter, 'labelled');
    const task = reporter.task('render EDA report', 1, 'pages');
    const written = await writeEdaReport(options.out, train, { rows: options.rows, seed: options.seed });
    task.finish(`rendered ${written.charts.length} charts`);
    process.stdout.write(`wrote ${join(options.out, 'eda.html')} and ${written.charts.length} charts in ${join(options.out, 'charts')}/\n`);
  } finally {
    reporter.close();
  }
}

/** `digits report --from DIR`: the report rebuilt from saved data, no training. */
export async function reportCommand(dir: string): Promise<void> {
  const written = await rebuildReport(dir);
  process.stdout.write(`wrote ${join(dir, 'report.html')} and ${written.charts.length} charts in ${join(dir, 'charts')}/\n`);
}
