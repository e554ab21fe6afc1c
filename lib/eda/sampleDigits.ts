import { table, type ColumnTable } from 'arquero';
import type { ImageDataset } from '../data/dataset.ts';
import { permutation, seededRandom } from '../data/random.ts';
import { UserError } from '../errors.ts';

/** Options of {@link sampleImages}: the size of the grid and the seed of the random choice. */
export interface SampleOptions {
  /** Rows of the grid the user wants to see (the seed notebook's choice). */
  rows: number;
  /** Images per grid row (default 10). */
  columns?: number;
  /** Seed of the random choice (default 0: the same images every time). */
  seed?: number;
}

function sample(dataset: ImageDataset, options: SampleOptions, verb: string, named: boolean): ColumnTable {
  const { rows, columns = 10, seed = 0 } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new UserError(`${verb}: rows must be an integer >= 1, got ${rows}`);
  if (!Number.isInteger(columns) || columns < 1) throw new UserError(`${verb}: columns must be an integer >= 1, got ${columns}`);
  const n = Math.min(rows * columns, dataset.size);
  const index = permutation(dataset.size, seededRandom(seed)).slice(0, n);
  const records = Array.from(index, (i) => dataset.record(i));
  const { classes } = dataset.format;
  return table({
    gridRow: Array.from({ length: n }, (_, k) => Math.floor(k / columns)),
    gridCol: Array.from({ length: n }, (_, k) => k % columns),
    index,
    id: records.map((r) => r.id),
    ...(dataset.labels ? { label: records.map((r) => r.label) } : {}),
    ...(dataset.labels && named ? { class: records.map((r) => classes[r.label!].name) } : {}),
    pixels: records.map((r) => r.pixels.slice()),
  });
}

/**
 * A random sample of `rows x columns` images (fewer when the data set is smaller), laid out as a
 * grid: columns `gridRow`, `gridCol`, `index` (row in the dataset), `id`, `label` (class index) and
 * `class` (its name) for labelled data, and `pixels` (a copy of the image's `pixelCount(format)`
 * values, as the dataset stores them).
 *
 * @example
 * sampleImages(train, { rows: 5 }).numRows(); // 50
 */
export function sampleImages(dataset: ImageDataset, options: SampleOptions): ColumnTable {
  return sample(dataset, options, 'sampleImages', true);
}

/**
 * {@link sampleImages} without the `class` column, as it was for the digits.
 *
 * @deprecated Use `sampleImages(dataset, options)`, which adds the class names.
 * @example
 * sampleDigits(train, { rows: 5 }).numRows(); // 50
 */
export function sampleDigits(dataset: ImageDataset, options: SampleOptions): ColumnTable {
  return sample(dataset, options, 'sampleDigits', false);
}
