import { table, type ColumnTable } from 'arquero';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { checkLabels, classColumn } from './classes.ts';
import { requireColumns } from './columns.ts';

function distribution(rows: ColumnTable, format: ImageFormat, verb: string): ColumnTable {
  requireColumns(rows, ['label'], verb);
  const labels = Array.from(format.classes, (_, k) => k);
  // the counted labels are checked too: a label outside the format would otherwise vanish in the join
  checkLabels(format, rows.array('label') as ArrayLike<number>, verb);
  return table({ label: labels, class: classColumn(format, labels, verb) })
    .join_left(rows.groupby('label').count(), 'label')
    .impute({ count: () => 0 })
    .derive({ share: 'd => op.sum(d.count) > 0 ? d.count / op.sum(d.count) : 0' })
    .orderby('label');
}

/**
 * How many rows each class has and its share of all rows: columns `label` (class index), `class`
 * (its name), `count`, `share` (0–1), one row per class of `format` in order, a class with no rows
 * included with count 0. `rows` is any table with a `label` column of class indices, such as
 * {@link imageSummaries}.
 *
 * @example
 * classDistribution(imageSummaries(train), train.format).print();
 */
export function classDistribution(rows: ColumnTable, format: ImageFormat): ColumnTable {
  return distribution(rows, format, 'classDistribution');
}

/**
 * The digits' {@link classDistribution}: columns `label`, `count`, `share`, one row per digit 0–9.
 *
 * @deprecated Use `classDistribution(rows, format)`, which knows the data set's classes and names them.
 * @example
 * labelDistribution(imageSummaries(train)).print();
 */
export function labelDistribution(rows: ColumnTable): ColumnTable {
  return distribution(rows, MNIST_FORMAT, 'labelDistribution').select('label', 'count', 'share');
}
