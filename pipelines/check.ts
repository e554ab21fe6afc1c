import { lastValueFrom, reduce } from 'rxjs';
import { describeSize, formatFromLabels, type ImageSize } from '../lib/data/format.ts';
import type { CsvLayout } from '../lib/index.ts';
import { readImages, type InvalidRowPolicy, type SkipReport } from '../lib/io/digits.ts';
import { LabelMap } from '../lib/io/labels.ts';

/** What `digits check` found in a file. */
export interface CheckSummary {
  file: string;
  rows: number;
  labelled: boolean;
  /** The images' size, from the header (or first line) or `--size`. */
  size: ImageSize;
  /** Rows per label, labels in class order (labelled files only). */
  labelCounts?: { label: string; count: number }[];
  skipped?: SkipReport;
}

/** Validates an image CSV end to end and summarises it: size, rows, and rows per label. */
export async function checkDigitsFile(file: string, onInvalid: InvalidRowPolicy = 'fail', layout: CsvLayout = {}): Promise<CheckSummary> {
  let skipped: SkipReport | undefined;
  let size: ImageSize | undefined;
  const labels = new LabelMap();
  const counts = await lastValueFrom(
    readImages(file, { ...layout, labels, onInvalid, onSkipped: (report) => (skipped = report), onHeader: (header) => (size = header.size) }).pipe(
      reduce(
        (acc, record) => {
          acc.rows++;
          if (record.label !== undefined) acc.labels[record.label] = (acc.labels[record.label] ?? 0) + 1;
          else acc.unlabelled = true;
          return acc;
        },
        { rows: 0, labels: [] as number[], unlabelled: false },
      ),
    ),
  );
  const found = formatFromLabels(size!, labels.labels);
  const labelCounts = found.format.classes.map((c) => ({ label: c.label, count: 0 }));
  labels.labels.forEach((_, k) => (labelCounts[found.indexOf[k]].count = counts.labels[k] ?? 0));
  return {
    file,
    rows: counts.rows,
    labelled: !counts.unlabelled,
    size: size!,
    ...(counts.unlabelled ? {} : { labelCounts }),
    ...(skipped ? { skipped } : {}),
  };
}

/** Human-readable lines for a check summary. */
export function formatCheckSummary(summary: CheckSummary): string {
  const { size } = summary;
  const colour = size.channels === 1 ? 'grey' : 'RGB';
  const lines = [
    `${summary.file}: OK, ${summary.rows} rows, ${summary.labelled ? 'labelled (train format)' : 'unlabelled (test format)'}, ${describeSize(size)} ${colour}`,
  ];
  if (summary.labelCounts) {
    lines.push(`labels (${summary.labelCounts.length} classes): ${summary.labelCounts.map(({ label, count }) => `${label}:${count}`).join(' ')}`);
  }
  if (summary.skipped) lines.push(`skipped ${summary.skipped.skipped} invalid row${summary.skipped.skipped === 1 ? '' : 's'}`);
  return lines.join('\n');
}
