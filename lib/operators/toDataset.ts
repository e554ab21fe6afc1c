import { concat, defer, ignoreElements, of, tap, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import { DatasetBuilder } from '../data/builder.ts';
import { ImageDataset } from '../data/dataset.ts';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import type { AnyImage } from '../data/pixels.ts';
import type { SplitRecord } from './splitTrainValid.ts';

/** The two datasets of a split. */
export interface TrainValidDatasets {
  train: ImageDataset;
  valid: ImageDataset;
}

/** What `toDataset()` emits: one dataset for plain records, two for records tagged by `splitTrainValid()`. */
export type DatasetOf<T> = [T] extends [SplitRecord<AnyImage>] ? TrainValidDatasets : ImageDataset;

/** Options of {@link toDataset}. */
export interface ToDatasetOptions {
  /** The records' size and classes (default: the Digit Recognizer's 28x28 digits 0–9). */
  format?: ImageFormat;
}

const STAGE = 'toDataset';

/**
 * Materialises a stream of records, once, into a compact `ImageDataset` (N x pixels bytes + labels)
 * of the given `format`
 * that replays epochs with `batches()`; records tagged by `splitTrainValid()` give
 * `{ train, valid }` from a single pass over the source. Raw (0–255) and normalized (0–1) records
 * are both stored as bytes; batches scale them to 0–1 again. Emits once, when the source completes;
 * an empty source is an error.
 *
 * @example
 * readDigits('data/train.csv').pipe(normalize(), splitTrainValid(), toDataset())
 *   .subscribe(({ train, valid }) => console.log(train.size, valid.size));
 */
export function toDataset<T extends AnyImage | SplitRecord<AnyImage>>(options: ToDatasetOptions = {}): OperatorFunction<T, DatasetOf<T>> {
  const format = options.format ?? MNIST_FORMAT;
  return (source) =>
    defer(() => {
      const collector = new Collector(format);
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

  constructor(private readonly format: ImageFormat) {}

  add(value: AnyImage | SplitRecord<AnyImage>): void {
    const isTagged = 'part' in value && 'record' in value;
    this.tagged ??= isTagged;
    if (isTagged !== this.tagged) {
      throw new UserError(`${STAGE}: the stream mixes records tagged by splitTrainValid() with untagged ones`);
    }
    if (!isTagged) (this.whole ??= new DatasetBuilder(STAGE, this.format)).add(value);
    else if (value.part === 'valid') (this.valid ??= new DatasetBuilder(`${STAGE} (valid)`, this.format)).add(value.record);
    else (this.train ??= new DatasetBuilder(`${STAGE} (train)`, this.format)).add(value.record);
  }

  result(): ImageDataset | TrainValidDatasets {
    if (this.tagged === undefined) throw new UserError(`${STAGE}: the source emitted no records`);
    const dataset = (builder: DatasetBuilder | undefined): ImageDataset =>
      builder ? ImageDataset.fromArrays(builder.arrays(), this.format) : ImageDataset.fromRecords([], this.format);
    if (!this.tagged) return dataset(this.whole);
    return { train: dataset(this.train), valid: dataset(this.valid) };
  }
}
