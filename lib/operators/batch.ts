import { bufferCount, filter, map, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import type { Batch, InputShape } from '../types.ts';
import { MNIST_FORMAT, pixelCount, type ImageFormat } from '../data/format.ts';
import { checkInteger, checkRecord } from '../data/check.ts';
import { tensorBatch, writeUnitPixels, type AnyImage } from '../data/pixels.ts';

/** Options of the {@link batch} operator (for the batches of an `ImageDataset`, see `BatchOptions`). */
export interface RecordBatchOptions {
  /** 'flat' gives xs [n, pixels], 'image' gives [n, height, width, channels] (default 'flat'). */
  shape?: InputShape;
  /** The records' size and classes, for the xs shape and the one-hot ys (default: 28x28 digits 0–9). */
  format?: ImageFormat;
  /** Drop the last batch when it is smaller than `size` (default false: kept). */
  dropRemainder?: boolean;
}

/**
 * Groups a plain stream of records (raw or normalized) into batches of tensors: xs in 0–1, ys
 * one-hot when the records are labelled, ids in order. Tensors are made only when a batch is full
 * (or at the end), and belong to the subscriber. For a materialised `ImageDataset`, use its
 * `batches()`.
 *
 * @example
 * readDigits('data/test.csv').pipe(batch(256, { shape: 'image' })) // Observable<Batch>, no ys
 */
export function batch(size: number, options: RecordBatchOptions = {}): OperatorFunction<AnyImage, Batch> {
  checkInteger('batch', 'size', size, 1);
  const { shape = 'flat', dropRemainder = false, format = MNIST_FORMAT } = options;
  if (shape !== 'flat' && shape !== 'image') {
    throw new UserError(`batch: shape must be 'flat' or 'image', got ${String(shape)}`);
  }
  return (source) =>
    source.pipe(
      bufferCount(size),
      filter((records) => !dropRemainder || records.length === size),
      map((records) => recordsToBatch(records, shape, format)),
    );
}

function recordsToBatch(records: AnyImage[], shape: InputShape, format: ImageFormat): Batch {
  const n = records.length;
  const stride = pixelCount(format);
  const xs = new Float32Array(n * stride);
  const ids = new Int32Array(n);
  const labelled = records[0].label !== undefined;
  const labels = labelled ? new Uint8Array(n) : undefined;
  records.forEach((record, i) => {
    checkRecord('batch', record, format);
    if ((record.label !== undefined) !== labelled) {
      throw new UserError(`batch: record ${record.id}: labelled and unlabelled records in one batch`);
    }
    writeUnitPixels(xs, i * stride, record.pixels);
    ids[i] = record.id;
    if (labels) labels[i] = record.label!;
  });
  return tensorBatch(xs, labels, ids, shape, format);
}
