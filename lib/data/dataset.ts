import { Observable } from 'rxjs';
import { UserError } from '../errors.ts';
import { PIXELS, type Batch, type DigitRecord, type InputShape } from '../types.ts';
import { jitterImages, jitterLimits, type AugmentOptions, type JitterLimits } from './affine.ts';
import { DatasetBuilder, type DatasetArrays } from './builder.ts';
import { checkInteger, checkRow, checkSeed } from './check.ts';
import { tensorBatch, writeUnitPixels, type AnyDigit } from './pixels.ts';
import { deriveSeed, permutation, seededRandom, type Random } from './random.ts';

/** Stream number of the augmentation draws, so that they are unrelated to the epoch order. */
const AUGMENT_STREAM = 1;

/**
 * How {@link DigitDataset.batches} and {@link DigitDataset.batchIterator} cut one epoch into batches:
 * size, order, tensor shape and optional augmentation.
 */
export interface BatchOptions {
  /** Rows per batch, an integer >= 1; the last batch may be smaller (see `dropRemainder`). */
  batchSize: number;
  /** Shuffle the order of rows for this epoch (default false). */
  shuffle?: boolean;
  /** Seed for this epoch's order; use a different seed per epoch (e.g. seed + epoch). */
  seed?: number;
  /** 'flat' gives xs [n, 784], 'image' gives [n, 28, 28, 1] (default 'flat'). */
  shape?: InputShape;
  /** Drop the last batch when it is smaller than batchSize (default false: kept). */
  dropRemainder?: boolean;
  /**
   * Random affine jitter of every image, drawn from this epoch's `seed` (mixed with `augment.seed`
   * when given), so a new seed per epoch gives new jitter. Off when absent.
   */
  augment?: AugmentOptions;
}

/** One epoch's batches, resolved and checked. */
interface EpochPlan {
  batchSize: number;
  count: number;
  order: Int32Array | null;
  shape: InputShape;
  jitter: { limits: JitterLimits; seed: number } | null;
}

/**
 * The digits materialised once in compact typed arrays (N x 784 bytes + labels), so that an epoch is
 * replayed without re-reading the source and without holding N tensors.
 */
export class DigitDataset {
  readonly size: number;

  constructor(
    /** N x 784 grey levels, row-major. */
    readonly pixels: Uint8Array,
    /** N ids (Kaggle ImageId or source row number). */
    readonly ids: Int32Array,
    /** N labels 0–9, or undefined for unlabelled (test) data. */
    readonly labels?: Uint8Array,
  ) {
    if (pixels.length % PIXELS !== 0) {
      throw new UserError(`DigitDataset: pixels length ${pixels.length} is not a multiple of ${PIXELS}`);
    }
    this.size = pixels.length / PIXELS;
    if (ids.length !== this.size) {
      throw new UserError(`DigitDataset: ${ids.length} ids for ${this.size} images`);
    }
    if (labels && labels.length !== this.size) {
      throw new UserError(`DigitDataset: ${labels.length} labels for ${this.size} images`);
    }
  }

  /** Whether the rows carry labels (train data) rather than none (test data). */
  get labelled(): boolean {
    return this.labels !== undefined;
  }

  /** Builds a dataset from records already in memory (raw 0–255 or normalized 0–1 pixels). */
  static fromRecords(records: readonly AnyDigit[]): DigitDataset {
    const builder = new DatasetBuilder('DigitDataset.fromRecords');
    for (const record of records) builder.add(record);
    return DigitDataset.fromArrays(builder.arrays());
  }

  /**
   * Wraps the arrays of a {@link DatasetBuilder} (or any with matching lengths) without copying them;
   * the dataset then shares their memory.
   */
  static fromArrays(arrays: DatasetArrays): DigitDataset {
    return new DigitDataset(arrays.pixels, arrays.ids, arrays.labels);
  }

  /** The rows of several datasets, in order, as one (copied); all labelled or all unlabelled. */
  static concat(parts: readonly DigitDataset[]): DigitDataset {
    const labelled = parts.every((part) => part.labelled);
    if (!labelled && parts.some((part) => part.labelled)) {
      throw new UserError('DigitDataset.concat: cannot mix labelled and unlabelled datasets');
    }
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const pixels = new Uint8Array(size * PIXELS);
    const ids = new Int32Array(size);
    const labels = labelled ? new Uint8Array(size) : undefined;
    let row = 0;
    for (const part of parts) {
      pixels.set(part.pixels, row * PIXELS);
      ids.set(part.ids, row);
      labels?.set(part.labels!, row);
      row += part.size;
    }
    return new DigitDataset(pixels, ids, labels);
  }

  /** The record at row `i` (a view on the dataset's memory, not a copy). */
  record(i: number): DigitRecord {
    checkRow('DigitDataset.record', i, this.size);
    const pixels = this.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    return this.labels ? { id: this.ids[i], label: this.labels[i], pixels } : { id: this.ids[i], pixels };
  }

  /** A new dataset holding the given rows, in the given order (copied). */
  subset(rows: ArrayLike<number>): DigitDataset {
    const n = rows.length;
    const pixels = new Uint8Array(n * PIXELS);
    const ids = new Int32Array(n);
    const labels = this.labels ? new Uint8Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const r = checkRow('DigitDataset.subset', rows[i], this.size);
      pixels.set(this.pixels.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      ids[i] = this.ids[r];
      if (labels) labels[i] = this.labels![r];
    }
    return new DigitDataset(pixels, ids, labels);
  }

  /**
   * One epoch as an Observable of batches of tensors (xs in 0–1, ys one-hot). Each batch's tensors
   * belong to the subscriber, who disposes them; batches are made one at a time and none is made
   * after an unsubscribe. Emission is synchronous: a consumer that awaits per batch (a training
   * step) should pull with `batchIterator()` instead, so that batches are not made ahead of use.
   *
   * @example
   * dataset.batches({ batchSize: 64, shuffle: true, seed: 20742 + epoch, augment: { maxShiftPx: 2 } })
   *   .subscribe((batch) => { step(batch); disposeBatch(batch); });
   */
  batches(options: BatchOptions): Observable<Batch> {
    const iterable = this.batchIterator(options);
    return new Observable<Batch>((subscriber) => {
      const iterator = iterable[Symbol.iterator]();
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        subscriber.next(next.value);
        if (subscriber.closed) break;
      }
      subscriber.complete();
    });
  }

  /**
   * One epoch as a pull-based iterable of batches: a batch's tensors are made only when the
   * consumer asks for it. Each iteration replays the same epoch (same order, same jitter).
   *
   * @example
   * for (const batch of dataset.batchIterator({ batchSize: 64 })) { await step(batch); disposeBatch(batch); }
   */
  batchIterator(options: BatchOptions): Iterable<Batch> {
    const plan = this.plan(options);
    return { [Symbol.iterator]: () => this.epoch(plan) };
  }

  /** Batches per epoch for these options. */
  batchCount(options: Pick<BatchOptions, 'batchSize' | 'dropRemainder'>): number {
    const batchSize = checkInteger('batchCount', 'batchSize', options.batchSize, 1);
    return options.dropRemainder ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
  }

  private plan(options: BatchOptions): EpochPlan {
    const { batchSize, shuffle = false, seed = 0, shape = 'flat', augment } = options;
    checkInteger('batches', 'batchSize', batchSize, 1);
    checkSeed('batches', seed);
    if (shape !== 'flat' && shape !== 'image') {
      throw new UserError(`batches: shape must be 'flat' or 'image', got ${String(shape)}`);
    }
    if (this.size === 0) throw new UserError('batches: the dataset is empty');
    const jitter = augment
      ? {
          limits: jitterLimits('batches: augment', augment),
          seed: deriveSeed(seed, AUGMENT_STREAM + (augment.seed ?? 0)),
        }
      : null;
    return {
      batchSize,
      count: this.batchCount(options),
      order: shuffle ? permutation(this.size, seededRandom(seed)) : null,
      shape,
      jitter,
    };
  }

  private *epoch(plan: EpochPlan): Generator<Batch, void, undefined> {
    // A fresh generator per pass, so that every pass over the epoch draws the same jitter.
    const random = plan.jitter ? seededRandom(plan.jitter.seed) : null;
    for (let b = 0; b < plan.count; b++) {
      const start = b * plan.batchSize;
      yield this.makeBatch(plan, random, start, Math.min(plan.batchSize, this.size - start));
    }
  }

  private makeBatch(plan: EpochPlan, random: Random | null, start: number, n: number): Batch {
    const xs = new Float32Array(n * PIXELS);
    const ids = new Int32Array(n);
    const labels = this.labels ? new Uint8Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const row = plan.order ? plan.order[start + i] : start + i;
      writeUnitPixels(xs, i * PIXELS, this.pixels.subarray(row * PIXELS, (row + 1) * PIXELS));
      ids[i] = this.ids[row];
      if (labels) labels[i] = this.labels![row];
    }
    if (plan.jitter && random) jitterImages(xs, n, random, plan.jitter.limits);
    return tensorBatch(xs, labels, ids, plan.shape);
  }
}

/** Disposes a batch's tensors. */
export function disposeBatch(batch: Batch): void {
  batch.xs.dispose();
  batch.ys?.dispose();
}
