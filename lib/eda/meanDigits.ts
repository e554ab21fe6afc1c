import { table, type ColumnTable } from 'arquero';
import type { ImageDataset } from '../data/dataset.ts';
import { classCount, pixelCount } from '../data/format.ts';
import { pixelMoments } from './pixelMoments.ts';
import { UserError } from '../errors.ts';

function means(dataset: ImageDataset, verb: string): ColumnTable {
  const labels = dataset.labels;
  if (!labels) throw new UserError(`${verb}: the dataset has no labels`);
  const { format } = dataset;
  const { width, channels } = format;
  const classes = classCount(format);
  const values = pixelCount(format);
  const { counts, sums } = pixelMoments(dataset, classes, (row) => labels[row]);
  const present = Array.from({ length: classes }, (_, k) => k).filter((k) => counts[k] > 0);
  const rows = present.length * values;
  const label = new Uint8Array(rows);
  const name = new Array<string>(rows);
  const count = new Int32Array(rows);
  const pixel = new Int32Array(rows);
  const row = new Int32Array(rows);
  const col = new Int32Array(rows);
  const channel = new Uint8Array(rows);
  const mean = new Float64Array(rows);
  present.forEach((k, g) => {
    for (let v = 0; v < values; v++) {
      const i = g * values + v;
      const position = Math.floor(v / channels);
      label[i] = k;
      name[i] = format.classes[k].name;
      count[i] = counts[k];
      pixel[i] = position;
      row[i] = Math.floor(position / width);
      col[i] = position % width;
      channel[i] = v % channels;
      mean[i] = sums[k * values + v] / counts[k];
    }
  });
  return table({ label, class: name, count, pixel, row, col, channel, mean });
}

/**
 * The mean image of each class in long form, at the data set's size and colour: one row per
 * (class, stored value) with columns `label` (class index), `class` (its name), `count` (images of
 * that class), `pixel` (position, row-major), `row`, `col`, `channel` (0 for grey; 0, 1, 2 = R, G,
 * B), `mean` (0–255). Rows of a class are in storage order (height x width x channels), so
 * collecting `mean` per class gives an image as the dataset stores one. Only classes present in the
 * data appear.
 *
 * @example
 * meanImages(train).filter('d => d.label === 1').array('mean'); // the average image of class 1
 */
export function meanImages(dataset: ImageDataset): ColumnTable {
  return means(dataset, 'meanImages');
}

/**
 * The digits' {@link meanImages}: columns `label`, `count`, `pixel` (0–783 for 28x28), `row`,
 * `col`, `mean` (and `channel` for colour images).
 *
 * @deprecated Use `meanImages(dataset)`, which adds the class names.
 * @example
 * meanDigits(train).filter('d => d.label === 1').array('mean'); // the average 1, 784 values
 */
export function meanDigits(dataset: ImageDataset): ColumnTable {
  return means(dataset, 'meanDigits').select(
    'label',
    'count',
    'pixel',
    'row',
    'col',
    ...(dataset.format.channels > 1 ? ['channel'] : []),
    'mean',
  );
}
