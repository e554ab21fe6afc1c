import { table, type ColumnTable } from 'arquero';
import { CLASSES } from '../types.ts';
import { requireColumns } from './columns.ts';

/**
 * How many rows each digit has and its share of all rows: columns `label`, `count`, `share` (0–1),
 * one row per digit 0–9 in order, a digit with no rows included with count 0.
 *
 * @example
 * labelDistribution(imageSummaries(train)).print();
 */
export function labelDistribution(rows: ColumnTable): ColumnTable {
  requireColumns(rows, ['label'], 'labelDistribution');
  const digits = table({ label: Array.from({ length: CLASSES }, (_, d) => d) });
  return digits
    .join_left(rows.groupby('label').count(), 'label')
    .impute({ count: () => 0 })
    .derive({ share: 'd => op.sum(d.count) > 0 ? d.count / op.sum(d.count) : 0' })
    .orderby('label');
}
