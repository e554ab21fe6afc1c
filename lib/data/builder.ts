import { UserError } from '../errors.ts';
import { checkRecord } from './check.ts';
import { MNIST_FORMAT, pixelCount, type ImageFormat } from './format.ts';
import type { AnyImage } from './pixels.ts';

/** Room for 1,024 rows at first, or fewer large images: about 4 MiB, grown by doubling. */
const INITIAL_ROWS = 1024;
const INITIAL_BYTES = 4 << 20;

/** The arrays an `ImageDataset` is made of. */
export interface DatasetArrays {
  pixels: Uint8Array;
  ids: Int32Array;
  labels: Uint8Array | undefined;
}

/**
 * Collects records one by one into the compact arrays of an `ImageDataset` (bytes, not floats: the
 * Kaggle train set is ~33 MB this way), checking each against the data set's format. Normalized pixels (0–1) are stored back as grey levels
 * round(255·v), which is exact for pixels that came from bytes.
 */
export class DatasetBuilder {
  private readonly stride: number;
  private pixels: Uint8Array;
  private ids: Int32Array;
  private labels: Uint8Array;
  private rows = 0;
  /** Whether the records carry labels; fixed by the first record. */
  private labelled: boolean | undefined;

  constructor(
    private readonly stage: string,
    /** The images' size and classes (default: the Digit Recognizer's). */
    readonly format: ImageFormat = MNIST_FORMAT,
  ) {
    this.stride = pixelCount(format);
    const rows = Math.max(1, Math.min(INITIAL_ROWS, Math.floor(INITIAL_BYTES / Math.max(1, this.stride))));
    this.pixels = new Uint8Array(rows * this.stride);
    this.ids = new Int32Array(rows);
    this.labels = new Uint8Array(rows);
  }

  /** Number of records added so far. */
  get size(): number {
    return this.rows;
  }

  /**
   * Appends one record (raw 0–255 or normalized 0–1 pixels), copying its pixels. Throws a `UserError`
   * for an invalid record or one whose labelling differs from the first record's.
   */
  add(record: AnyImage): void {
    checkRecord(this.stage, record, this.format);
    const hasLabel = record.label !== undefined;
    this.labelled ??= hasLabel;
    if (hasLabel !== this.labelled) {
      throw new UserError(
        `${this.stage}: record ${record.id}: label is ${hasLabel ? 'present' : 'missing'} but earlier records ${
          this.labelled ? 'have' : 'have no'
        } labels`,
      );
    }
    if (this.rows === this.ids.length) this.grow();
    const offset = this.rows * this.stride;
    if (record.pixels instanceof Uint8Array) {
      this.pixels.set(record.pixels, offset);
    } else {
      this.storeUnitPixels(record, offset);
    }
    this.ids[this.rows] = record.id;
    if (hasLabel) this.labels[this.rows] = record.label!;
    this.rows++;
  }

  /** The records added so far, in arrays trimmed to size. */
  arrays(): DatasetArrays {
    const n = this.rows;
    return {
      pixels: this.pixels.slice(0, n * this.stride),
      ids: this.ids.slice(0, n),
      labels: this.labelled ? this.labels.slice(0, n) : undefined,
    };
  }

  private storeUnitPixels(record: AnyImage, offset: number): void {
    const { pixels } = record;
    // checkRecord has already checked every value is in 0–1
    for (let p = 0; p < pixels.length; p++) this.pixels[offset + p] = Math.round(pixels[p] * 255);
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const pixels = new Uint8Array(capacity * this.stride);
    pixels.set(this.pixels);
    this.pixels = pixels;
    const ids = new Int32Array(capacity);
    ids.set(this.ids);
    this.ids = ids;
    const labels = new Uint8Array(capacity);
    labels.set(this.labels);
    this.labels = labels;
  }
}
