import { join } from 'node:path';
import { defer } from 'rxjs';
import { readDataset, resolveTrainFile, withRunDir, type ClassNaming, type CsvLayout, type RunDir } from '../lib/index.ts';
import { buildFullReport, loadReportData, writeEdaReport, writeReport } from '../reports/index.ts';
import { interruptible } from './interrupt.ts';
import { createReporter, type ReporterMode } from './progress.ts';
import { commandLine } from './summary.ts';

export interface EdaCommandOptions extends CsvLayout, ClassNaming {
  train?: string;
  rows: number;
  out: string;
  seed: number;
  reporter: ReporterMode;
}

/** `digits eda`: the EDA page alone, for the whole of a labelled train.csv, as one run in the out dir. */
export async function edaCommand(options: EdaCommandOptions): Promise<void> {
  const reporter = createReporter(options.reporter);
  let run: RunDir | undefined;
  let charts = 0;
  try {
    const job$ = withRunDir(
      options.out,
      {
        command: commandLine(),
        seed: options.seed,
        writes: [
          { name: 'eda.html', kind: 'file' },
          { name: 'charts', kind: 'directory' },
        ],
        onNotice: (message) => reporter.info(message),
        onOpen: (opened) => (run = opened),
      },
      (opened) =>
        defer(async () => {
          const file = await resolveTrainFile(options.train, reporter);
          const train = await readDataset(file, reporter, 'labelled', {
            header: options.header,
            maxLineBytes: options.maxLineBytes,
            size: options.size,
            channelOrder: options.channelOrder,
            idColumn: options.idColumn,
            classNames: options.classNames,
          });
          const task = reporter.task('render EDA report', 1, 'pages');
          const written = await writeEdaReport(opened.staging, train, { rows: options.rows, seed: options.seed });
          charts = written.charts.length;
          task.finish(`rendered ${charts} charts`);
        }),
    );
    await interruptible(job$, options.out, () => run?.runId);
  } finally {
    reporter.close();
  }
  process.stdout.write(`wrote ${join(options.out, 'eda.html')} and ${charts} charts in ${join(options.out, 'charts')}/\n`);
}

/**
 * `digits report --from DIR`: the report rebuilt from saved data, no training; report.html and the
 * charts are replaced in one commit, the rest of the run stays.
 */
export async function reportCommand(dir: string): Promise<void> {
  // read first: a missing or broken report-data.json is reported before the dir is touched
  const report = buildFullReport(await loadReportData(dir));
  let charts = 0;
  let run: RunDir | undefined;
  const job$ = withRunDir(
    dir,
    {
      command: commandLine(),
      writes: [
        { name: 'report.html', kind: 'file' },
        { name: 'charts', kind: 'directory' },
      ],
      keep: (name) => name !== 'report.html' && name !== 'charts',
      onOpen: (opened) => (run = opened),
    },
    (opened) =>
      defer(async () => {
        charts = (await writeReport(opened.staging, report)).charts.length;
      }),
  );
  await interruptible(job$, dir, () => run?.runId);
  process.stdout.write(`wrote ${join(dir, 'report.html')} and ${charts} charts in ${join(dir, 'charts')}/\n`);
}
