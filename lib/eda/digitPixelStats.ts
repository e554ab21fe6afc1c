import type { ColumnTable } from 'arquero';
import { requireColumns } from './columns.ts';

/**
 * Per-digit averages of the image summaries: columns `label`, `count`, `meanIntensity`,
 * `inkCoverage`, `bboxWidth`, `bboxHeight`, one row per digit present, in order. Shows, say, that
 * ones are narrow and use little ink while zeros and eights use the most.
 *
 * @example
 * digitPixelStats(imageSummaries(train)).print();
 */
export function digitPixelStats(summaries: ColumnTable): ColumnTable {
  requireColumns(summaries, ['label', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight'], 'digitPixelStats');
  return summaries
    .groupby('label')
    .rollup({
      count: 'd => op.count()',
      meanIntensity: 'd => op.mean(d.meanIntensity)',
      inkCoverage: 'd => op.mean(d.inkCoverage)',
      bboxWidth: 'd => op.mean(d.bboxWidth)',
      bboxHeight: 'd => op.mean(d.bboxHeight)',
    })
    .orderby('label');
}
