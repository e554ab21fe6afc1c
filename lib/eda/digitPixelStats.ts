import type { ColumnTable } from 'arquero';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { checkLabels } from './classes.ts';
import { requireColumns } from './columns.ts';

const SUMMARY_COLUMNS = ['label', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight'];

function perClass(summaries: ColumnTable, format: ImageFormat, verb: string): ColumnTable {
  requireColumns(summaries, SUMMARY_COLUMNS, verb);
  checkLabels(format, summaries.array('label') as ArrayLike<number>, verb);
  const names = format.classes.map((c) => c.name);
  return summaries
    .groupby('label')
    .rollup({
      count: 'd => op.count()',
      meanIntensity: 'd => op.mean(d.meanIntensity)',
      inkCoverage: 'd => op.mean(d.inkCoverage)',
      bboxWidth: 'd => op.mean(d.bboxWidth)',
      bboxHeight: 'd => op.mean(d.bboxHeight)',
    })
    .params({ names })
    .derive({ class: (d: { label: number }, $: { names: string[] }) => $.names[d.label] })
    .relocate('class', { after: 'label' })
    .orderby('label');
}

/**
 * Per-class averages of the image summaries: columns `label` (class index), `class` (its name),
 * `count`, `meanIntensity`, `inkCoverage`, `bboxWidth`, `bboxHeight`, one row per class present, in
 * class order. For digits it shows, say, that ones are narrow and use little ink while zeros and
 * eights use the most.
 *
 * @example
 * classPixelStats(imageSummaries(train), train.format).print();
 */
export function classPixelStats(summaries: ColumnTable, format: ImageFormat): ColumnTable {
  return perClass(summaries, format, 'classPixelStats');
}

/**
 * The digits' {@link classPixelStats}, without the `class` column.
 *
 * @deprecated Use `classPixelStats(summaries, format)`.
 * @example
 * digitPixelStats(imageSummaries(train)).print();
 */
export function digitPixelStats(summaries: ColumnTable): ColumnTable {
  return perClass(summaries, MNIST_FORMAT, 'digitPixelStats').select('label', 'count', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight');
}
