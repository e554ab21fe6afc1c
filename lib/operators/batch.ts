import { bufferCount, filter, map, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import { PIXELS, type Batch, type InputShape } from '../types.ts';
import { checkInteger, checkRecord } from '../data/check.ts';
import { tensorBatch, writeUnitPixels, type AnyDigit } from '../data/pixels.ts';

/** Options of the {@link batch} operator (for the batches of a `DigitDataset`, see `BatchOptions`). */
export interface RecordBatchOptions {
  /** 'flat' gives xs [n, 784], 'image' gives [n, 28, 28, 1] (default 'flat'). */
  shape?: InputShape;
  /** Drop the last batch when it is smaller than `size` (default false: kept). */
  dropRemainder?: boolean;
}

/**
 * Groups a plain stream of records (raw or normalized) into batches of tensors: xs in 0–1, ys
 * one-hot when the records are labelled, ids in order. Tensors are made only when a batch is full
 * (or at the end), and belong to the subscriber. For a materialised `DigitDataset`, use its
 * `batches()`.
 *
 * @example
 * readDigits('data/test.csv').pipe(batch(256, { shape: 'image' })) // Observable<Batch>, no ys
 */
export function batch(size: number, options: RecordBatchOptions = {}): OperatorFunction<AnyDigit, Batch> {
  checkInteger('batch', 'size', size, 1);
  const { shape = 'flat', dropRemainder = false } = options;
  if (shape !== 'flat' && shape !== 'image') {
    throw new UserError(`batch: shape must be 'flat' or 'image', got ${String(shape)}`);
  }
  return (source) =>
    source.pipe(
      bufferCount(size),
      filter((records) => !dropRemainder || records.length === size),
      map((records) => recordsToBatch(records, shape)),
    );
}

function recordsToBatch(records: AnyDigit[], shape: InputShape): Batch {
  const n = records.length;
  const xs = new Float32Array(n * PIXELS);
  const ids = new Int32Array(n);
  const labelled = records[0].label !== undefined;
  const labels = labelled ? new Uint8Array(n) : undefined;
  records.forEach((record, i) => {
    checkRecord('batch', record);
    if ((record.label !== undefined) !== labelled) {
      throw new UserError(`batch: record ${record.id}: labelled and unlabelled records in one batch`);
    }
    writeUnitPixels(xs, i * PIXELS, record.pixels);
    ids[i] = record.id;
    if (labels) labels[i] = record.label!;
  });
  return tensorBatch(xs, labels, ids, shape);
}
