import { Observable } from 'rxjs';
import { UserError } from '../errors.ts';
import type { Batch, ImageRecord, InputShape } from '../types.ts';
import { jitterImages, jitterLimits, type AugmentOptions, type JitterLimits } from './affine.ts';
import { DatasetBuilder, type DatasetArrays } from './builder.ts';
import { checkInteger, checkRow, checkSeed } from './check.ts';
import { tensorBatch, writeUnitPixels, type AnyImage } from './pixels.ts';
import { classCount, describeSize, MNIST_FORMAT, pixelCount, sameFormat, type ImageFormat } from './format.ts';
import { deriveSeed, permutation, seededRandom, type Random } from './random.ts';

/** Stream number of the augmentation draws, so that they are unrelated to the epoch order. */
const AUGMENT_STREAM = 1;

/**
 * How {@link ImageDataset.batches} and {@link ImageDataset.batchIterator} cut one epoch into batches:
 * size, order, tensor shape and optional augmentation.
 */
export interface BatchOptions {
  /** Rows per batch, an integer >= 1; the last batch may be smaller (see `dropRemainder`). */
  batchSize: number;
  /** Shuffle the order of rows for this epoch (default false). */
  shuffle?: boolean;
  /** Seed for this epoch's order; use a different seed per epoch (e.g. seed + epoch). */
  seed?: number;
  /** 'flat' gives xs [n, pixels], 'image' gives [n, height, width, channels] (default 'flat'). */
  shape?: InputShape;
  /** Drop the last batch when it is smaller than batchSize (default false: kept). */
  dropRemainder?: boolean;
  /**
   * Random affine jitter (and elastic distortion, with `maxElasticPx`) of every image, drawn from
   * this epoch's `seed` (mixed with `augment.seed` when given), so a new seed per epoch gives new
   * jitter. Off when absent.
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
 * A data set's images materialised once in compact typed arrays (N x pixels bytes + class indices),
 * with the {@link ImageFormat} that says their size, colour and classes, so that an epoch is replayed
 * without re-reading the source and without holding N tensors.
 *
 * @example
 * const dataset = new ImageDataset(pixels, ids, labels, imageFormat({ width: 14, height: 14, classes: 3 }));
 * dataset.format.classes.length; // 3
 */
export class ImageDataset {
  readonly size: number;
  /** Values per image (width x height x channels of `format`). */
  private readonly stride: number;

  constructor(
    /** N images, each `pixelCount(format)` values 0–255, row-major, channels side by side. */
    readonly pixels: Uint8Array,
    /** N ids (the file's id column, Kaggle's ImageId, or the source row number). */
    readonly ids: Int32Array,
    /** N class indices into `format.classes`, or undefined for unlabelled (test) data. */
    readonly labels?: Uint8Array,
    /** Size, colour and classes of the images (default: the Digit Recognizer's, 28x28 digits 0–9). */
    readonly format: ImageFormat = MNIST_FORMAT,
  ) {
    this.stride = pixelCount(format);
    if (pixels.length % this.stride !== 0) {
      throw new UserError(`ImageDataset: pixels length ${pixels.length} is not a multiple of ${this.stride} (${describeSize(format)} images)`);
    }
    this.size = pixels.length / this.stride;
    if (ids.length !== this.size) {
      throw new UserError(`ImageDataset: ${ids.length} ids for ${this.size} images`);
    }
    if (labels && labels.length !== this.size) {
      throw new UserError(`ImageDataset: ${labels.length} labels for ${this.size} images`);
    }
    if (labels) {
      const classes = classCount(format);
      const row = labels.findIndex((label) => label >= classes);
      if (row >= 0) throw new UserError(`ImageDataset: row ${row} has class index ${labels[row]}, the format has ${classes} classes`);
    }
  }

  /** Whether the rows carry labels (train data) rather than none (test data). */
  get labelled(): boolean {
    return this.labels !== undefined;
  }

  /** Builds a dataset from records already in memory (raw 0–255 or normalized 0–1 pixels). */
  static fromRecords(records: readonly AnyImage[], format: ImageFormat = MNIST_FORMAT): ImageDataset {
    const builder = new DatasetBuilder('ImageDataset.fromRecords', format);
    for (const record of records) builder.add(record);
    return ImageDataset.fromArrays(builder.arrays(), format);
  }

  /**
   * Wraps the arrays of a {@link DatasetBuilder} (or any with matching lengths) without copying them;
   * the dataset then shares their memory.
   */
  static fromArrays(arrays: DatasetArrays, format: ImageFormat = MNIST_FORMAT): ImageDataset {
    return new ImageDataset(arrays.pixels, arrays.ids, arrays.labels, format);
  }

  /**
   * The rows of several datasets, in order, as one (copied); all labelled or all unlabelled, all of
   * one format.
   */
  static concat(parts: readonly ImageDataset[]): ImageDataset {
    if (parts.length === 0) throw new UserError('ImageDataset.concat: no datasets to join');
    const format = parts[0].format;
    if (parts.some((part) => !sameFormat(part.format, format))) {
      throw new UserError('ImageDataset.concat: the datasets have different formats (image size or classes)');
    }
    const labelled = parts.every((part) => part.labelled);
    if (!labelled && parts.some((part) => part.labelled)) {
      throw new UserError('ImageDataset.concat: cannot mix labelled and unlabelled datasets');
    }
    const stride = pixelCount(format);
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const pixels = new Uint8Array(size * stride);
    const ids = new Int32Array(size);
    const labels = labelled ? new Uint8Array(size) : undefined;
    let row = 0;
    for (const part of parts) {
      pixels.set(part.pixels, row * stride);
      ids.set(part.ids, row);
      labels?.set(part.labels!, row);
      row += part.size;
    }
    return new ImageDataset(pixels, ids, labels, format);
  }

  /** The record at row `i` (a view on the dataset's memory, not a copy). */
  record(i: number): ImageRecord {
    checkRow('ImageDataset.record', i, this.size);
    const pixels = this.pixels.subarray(i * this.stride, (i + 1) * this.stride);
    return this.labels ? { id: this.ids[i], label: this.labels[i], pixels } : { id: this.ids[i], pixels };
  }

  /** A new dataset holding the given rows, in the given order (copied). */
  subset(rows: ArrayLike<number>): ImageDataset {
    const n = rows.length;
    const stride = this.stride;
    const pixels = new Uint8Array(n * stride);
    const ids = new Int32Array(n);
    const labels = this.labels ? new Uint8Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const r = checkRow('ImageDataset.subset', rows[i], this.size);
      pixels.set(this.pixels.subarray(r * stride, (r + 1) * stride), i * stride);
      ids[i] = this.ids[r];
      if (labels) labels[i] = this.labels![r];
    }
    return new ImageDataset(pixels, ids, labels, this.format);
  }

  /** The same images without their labels (sharing memory): what a model is asked to predict. */
  unlabelled(): ImageDataset {
    return this.labels ? new ImageDataset(this.pixels, this.ids, undefined, this.format) : this;
  }

  /** The same rows described by another format of the same image size (class names given later). */
  withFormat(format: ImageFormat): ImageDataset {
    return new ImageDataset(this.pixels, this.ids, this.labels, format);
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
          limits: jitterLimits('batches: augment', augment, this.format),
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
    const stride = this.stride;
    const xs = new Float32Array(n * stride);
    const ids = new Int32Array(n);
    const labels = this.labels ? new Uint8Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const row = plan.order ? plan.order[start + i] : start + i;
      writeUnitPixels(xs, i * stride, this.pixels.subarray(row * stride, (row + 1) * stride));
      ids[i] = this.ids[row];
      if (labels) labels[i] = this.labels![row];
    }
    if (plan.jitter && random) jitterImages(xs, n, random, plan.jitter.limits, this.format);
    return tensorBatch(xs, labels, ids, plan.shape, this.format);
  }
}

/** The Digit Recognizer's name for {@link ImageDataset}: the same class. */
export { ImageDataset as DigitDataset };

/** Disposes a batch's tensors. */
export function disposeBatch(batch: Batch): void {
  batch.xs.dispose();
  batch.ys?.dispose();
}
