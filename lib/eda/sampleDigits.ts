import { table, type ColumnTable } from 'arquero';
import type { DigitDataset } from '../data/dataset.ts';
import { permutation, seededRandom } from '../data/random.ts';
import { UserError } from '../errors.ts';

/** Options of {@link sampleDigits}: the size of the grid and the seed of the random choice. */
export interface SampleOptions {
  /** Rows of the grid the user wants to see (the seed notebook's choice). */
  rows: number;
  /** Digits per grid row (default 10). */
  columns?: number;
  /** Seed of the random choice (default 0: the same digits every time). */
  seed?: number;
}

/**
 * A random sample of `rows x columns` digits (fewer when the data set is smaller), laid out as a
 * grid: columns `gridRow`, `gridCol`, `index` (row in the dataset), `id`, `label` (labelled data
 * only) and `pixels` (a copy of the image's 784 grey levels).
 *
 * @example
 * sampleDigits(train, { rows: 5 }).numRows(); // 50
 */
export function sampleDigits(dataset: DigitDataset, options: SampleOptions): ColumnTable {
  const { rows, columns = 10, seed = 0 } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new UserError(`sampleDigits: rows must be an integer >= 1, got ${rows}`);
  if (!Number.isInteger(columns) || columns < 1) throw new UserError(`sampleDigits: columns must be an integer >= 1, got ${columns}`);
  const n = Math.min(rows * columns, dataset.size);
  const index = permutation(dataset.size, seededRandom(seed)).slice(0, n);
  const records = Array.from(index, (i) => dataset.record(i));
  return table({
    gridRow: Array.from({ length: n }, (_, k) => Math.floor(k / columns)),
    gridCol: Array.from({ length: n }, (_, k) => k % columns),
    index,
    id: records.map((r) => r.id),
    ...(dataset.labels ? { label: records.map((r) => r.label) } : {}),
    pixels: records.map((r) => r.pixels.slice()),
  });
}
