import { concat, defer, ignoreElements, of, tap, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import { DatasetBuilder } from '../data/builder.ts';
import { DigitDataset } from '../data/dataset.ts';
import type { AnyDigit } from '../data/pixels.ts';
import type { SplitRecord } from './splitTrainValid.ts';

/** The two datasets of a split. */
export interface TrainValidDatasets {
  train: DigitDataset;
  valid: DigitDataset;
}

/** What `toDataset()` emits: one dataset for plain records, two for records tagged by `splitTrainValid()`. */
export type DatasetOf<T> = [T] extends [SplitRecord<AnyDigit>] ? TrainValidDatasets : DigitDataset;

const STAGE = 'toDataset';

/**
 * Materialises a stream of records, once, into a compact `DigitDataset` (N x 784 bytes + labels)
 * that replays epochs with `batches()`; records tagged by `splitTrainValid()` give
 * `{ train, valid }` from a single pass over the source. Raw (0–255) and normalized (0–1) records
 * are both stored as bytes; batches scale them to 0–1 again. Emits once, when the source completes;
 * an empty source is an error.
 *
 * @example
 * readDigits('data/train.csv').pipe(normalize(), splitTrainValid(), toDataset())
 *   .subscribe(({ train, valid }) => console.log(train.size, valid.size));
 */
export function toDataset<T extends AnyDigit | SplitRecord<AnyDigit>>(): OperatorFunction<T, DatasetOf<T>> {
  return (source) =>
    defer(() => {
      const collector = new Collector();
      const collected = source.pipe(
        tap((value) => collector.add(value)),
        ignoreElements(),
      );
      return concat(collected, defer(() => of(collector.result() as DatasetOf<T>)));
    });
}

/** Sends each record to its builder; the first value decides whether the stream is tagged. */
class Collector {
  private tagged: boolean | undefined;
  private whole?: DatasetBuilder;
  private train?: DatasetBuilder;
  private valid?: DatasetBuilder;

  add(value: AnyDigit | SplitRecord<AnyDigit>): void {
    const isTagged = 'part' in value && 'record' in value;
    this.tagged ??= isTagged;
    if (isTagged !== this.tagged) {
      throw new UserError(`${STAGE}: the stream mixes records tagged by splitTrainValid() with untagged ones`);
    }
    if (!isTagged) (this.whole ??= new DatasetBuilder(STAGE)).add(value);
    else if (value.part === 'valid') (this.valid ??= new DatasetBuilder(`${STAGE} (valid)`)).add(value.record);
    else (this.train ??= new DatasetBuilder(`${STAGE} (train)`)).add(value.record);
  }

  result(): DigitDataset | TrainValidDatasets {
    if (this.tagged === undefined) throw new UserError(`${STAGE}: the source emitted no records`);
    const dataset = (builder: DatasetBuilder | undefined): DigitDataset =>
      builder ? DigitDataset.fromArrays(builder.arrays()) : DigitDataset.fromRecords([]);
    if (!this.tagged) return dataset(this.whole);
    return { train: dataset(this.train), valid: dataset(this.valid) };
  }
}
