import { lastValueFrom, reduce } from 'rxjs';
import { readDigits, type CsvLayout, type InvalidRowPolicy, type SkipReport } from '../lib/index.ts';

/** What `digits check` found in a file. */
export interface CheckSummary {
  file: string;
  rows: number;
  labelled: boolean;
  /** Rows per label 0–9 (labelled files only). */
  labelCounts?: number[];
  skipped?: SkipReport;
}

/** Validates a Kaggle digit CSV end to end and summarises it. */
export async function checkDigitsFile(file: string, onInvalid: InvalidRowPolicy = 'fail', layout: CsvLayout = {}): Promise<CheckSummary> {
  let skipped: SkipReport | undefined;
  const counts = await lastValueFrom(
    readDigits(file, { ...layout, onInvalid, onSkipped: (report) => (skipped = report) }).pipe(
      reduce(
        (acc, record) => {
          acc.rows++;
          if (record.label !== undefined) acc.labels[record.label]++;
          else acc.unlabelled = true;
          return acc;
        },
        { rows: 0, labels: new Array<number>(10).fill(0), unlabelled: false },
      ),
    ),
  );
  return {
    file,
    rows: counts.rows,
    labelled: !counts.unlabelled,
    ...(counts.unlabelled ? {} : { labelCounts: counts.labels }),
    ...(skipped ? { skipped } : {}),
  };
}

/** Human-readable lines for a check summary. */
export function formatCheckSummary(summary: CheckSummary): string {
  const lines = [`${summary.file}: OK, ${summary.rows} rows, ${summary.labelled ? 'labelled (train format)' : 'unlabelled (test format)'}`];
  if (summary.labelCounts) {
    lines.push(`labels: ${summary.labelCounts.map((n, label) => `${label}:${n}`).join(' ')}`);
  }
  if (summary.skipped) lines.push(`skipped ${summary.skipped.skipped} invalid row${summary.skipped.skipped === 1 ? '' : 's'}`);
  return lines.join('\n');
}
