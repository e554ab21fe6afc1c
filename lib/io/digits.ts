import { Observable } from 'rxjs';
import { InputFileError, UserError } from '../errors.ts';
import type { ImageRecord } from '../types.ts';
import { checkSize, describeSize, MAX_CLASSES, MNIST_FORMAT, parseImageSize, pixelCount, sizeFromPixelCount, type ImageSize } from '../data/format.ts';
import { LabelMap } from './labels.ts';
import { CHUNK_BYTES, checkReadOptions, MAX_LINE_BYTES, readChunks } from './chunks.ts';
import { CsvParser } from './csv.ts';
import { formatBytes, quoteSnippet } from './snippet.ts';

/** What to do with an invalid row: stop with an error (default) or skip it and report the count. */
export type InvalidRowPolicy = 'fail' | 'skip';

/** Rows left out under `onInvalid: 'skip'`. */
export interface SkipReport {
  file: string;
  skipped: number;
  /** Line numbers of the first skipped rows (at most 10). */
  firstLines: number[];
  /** The error of the first skipped row. */
  firstError: string;
}

/** What an image CSV's header says (see `onHeader` in {@link ReadImagesOptions}). */
export interface ImageFileHeader {
  labelled: boolean;
  /** The images' size: from the option, or from the number of pixel columns (784 = 28x28). */
  size: ImageSize;
  /** The id column's name, when the file has one (Kannada-MNIST's test file: `id`). */
  idColumn?: string;
  /** The first and last pixel columns' names (`pixel0`..`pixel783`, `pixel1`..`pixel784`, ...). */
  pixelColumns: [string, string];
}

/** The Digit Recognizer's name for {@link ImageFileHeader}. */
export type DigitFileHeader = ImageFileHeader;

/** Options of {@link readImages}. */
export interface ReadImagesOptions {
  /** Fail on the first invalid row (`'fail'`, default) or leave such rows out (`'skip'`). */
  onInvalid?: InvalidRowPolicy;
  /**
   * Called once, at the end, when rows were skipped. Without it a one-line warning goes to stderr:
   * skipping is never silent.
   */
  onSkipped?: (report: SkipReport) => void;
  /** Require a label column ('labelled', train.csv) or its absence ('unlabelled', test.csv). */
  expect?: 'labelled' | 'unlabelled' | 'either';
  /**
   * The name of the id column among the first two (default: `ImageId` or `id`, any case). Its values,
   * integers >= 0 and unique, become the records' ids; without one, ids are the row numbers from 1.
   */
  idColumn?: string;
  /** Told what the header says, once it is read: labels, id column, image size. */
  onHeader?: (header: ImageFileHeader) => void;
  /**
   * Whether the first line is a header (default true). A headerless file (EMNIST's CSVs) has, on
   * every line, a label then the pixels, or the pixels alone; its ids are its line numbers.
   */
  header?: boolean;
  /**
   * The images' size (`{ width, height, channels }` or `'32x32x3'`). Without it, the number of pixel
   * values says: a square is grey (784 = 28x28), three squares RGB (3,072 = 32x32x3); any other
   * count needs the size. With it, the file must have exactly that many pixel values.
   */
  size?: ImageSize | string;
  /**
   * How an RGB row lists its values: `'interleaved'` (default: r, g, b of the first pixel, then the
   * next pixel) or `'planar'` (every red value, then every green, then every blue, as CIFAR does).
   * Records are always interleaved.
   */
  channelOrder?: 'interleaved' | 'planar';
  /**
   * How label texts become class indices. Without it (and without `classes`), labels must be
   * integers 0–255 and are the class indices themselves. A growing `new LabelMap()` accepts any
   * labels, names included, in order of first appearance; `LabelMap.fixed(...)` only its own.
   */
  labels?: LabelMap;
  /** The label texts in class order: shorthand for `labels: LabelMap.fixed(classes)`. */
  classes?: readonly string[];
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
  /**
   * The longest line accepted, in bytes (default 4 MiB, a thousand times a 28 x 28 row): a longer one
   * fails at once, so a binary or runaway file (`/dev/zero`) is refused in flat memory.
   */
  maxLineBytes?: number;
  /** Called after each chunk with the bytes read so far (for progress bars). */
  onBytesRead?: (bytes: number) => void;
}

const LF = 10;
const CR = 13;
const COMMA = 44;
const ZERO = 48;
const NINE = 57;
/**
 * Records are carved out of shared slabs: one allocation per slab of rows instead of one per row.
 * A slab holds up to 1,024 rows and about 4 MiB, so large images never ask for gigabytes at once.
 */
const SLAB_RECORDS = 1024;
const SLAB_BYTES = 4 << 20;
const MAX_LISTED_LINES = 10;


/** The Digit Recognizer's name for {@link ReadImagesOptions}. */
export type ReadDigitsOptions = ReadImagesOptions;

/**
 * The header of an image CSV: `label,pixel0..pixelN-1` for labelled files, `pixel0..pixelN-1` for
 * unlabelled, N the pixel values of `size` (default 28x28: Kaggle's Digit Recognizer).
 */
export function digitHeader(labelled: boolean, size: ImageSize = MNIST_FORMAT): string[] {
  const pixels = Array.from({ length: pixelCount(size) }, (_, i) => `pixel${i}`);
  return labelled ? ['label', ...pixels] : pixels;
}

/**
 * Streams a Kaggle-style image-classification CSV (a `label` column, then pixel columns such as
 * `pixel0..pixel783` or `pixel1..pixel784`; an optional id column; or no header at all) as
 * `ImageRecord`s, with `id` the file's id column or the 1-based data row number (Kaggle's ImageId).
 * The image size comes from the pixel count or the `size` option, class indices from the labels
 * (see `labels`). Bytes are parsed directly, chunk by chunk, and every value is checked: a bad
 * header, a wrong number of fields, a pixel that is not an integer in 0–255 or a label without a
 * class fails with `file:line: column name: reason`, or, with `onInvalid: 'skip'`, is left out and
 * reported.
 *
 * @example
 * readImages('data/train.csv').pipe(normalize(), splitTrainValid())
 * readImages('sign_mnist_train.csv', { labels: new LabelMap() }) // labels 0–24 without 9, any order
 */
export function readImages(path: string, options: ReadImagesOptions = {}): Observable<ImageRecord> {
  checkReadOptions('readImages', options);
  if (options.expect !== undefined && !['labelled', 'unlabelled', 'either'].includes(options.expect)) {
    throw new UserError(`readImages: expect must be 'labelled', 'unlabelled' or 'either', got ${quoteSnippet(String(options.expect))}`);
  }
  if (options.header !== undefined && typeof options.header !== 'boolean') {
    throw new UserError(`readImages: header must be true or false, got ${quoteSnippet(String(options.header))}`);
  }
  if (options.header === false && options.idColumn !== undefined) {
    throw new UserError('readImages: idColumn needs a header to find the column by name; a headerless file has none');
  }
  if (options.onInvalid !== undefined && options.onInvalid !== 'fail' && options.onInvalid !== 'skip') {
    throw new UserError(`readImages: onInvalid must be 'fail' or 'skip', got ${quoteSnippet(String(options.onInvalid))}`);
  }
  if (options.channelOrder !== undefined && options.channelOrder !== 'interleaved' && options.channelOrder !== 'planar') {
    throw new UserError(`readImages: channelOrder must be 'interleaved' or 'planar', got ${quoteSnippet(String(options.channelOrder))}`);
  }
  if (options.labels !== undefined && options.classes !== undefined) {
    throw new UserError('readImages: give labels or classes, not both');
  }
  const size = options.size === undefined ? undefined : typeof options.size === 'string' ? parseImageSize(options.size, 'readImages: size') : options.size;
  if (size) checkSize('readImages: size', size);
  const labels = options.labels ?? (options.classes ? LabelMap.fixed(options.classes) : undefined);
  return new Observable<ImageRecord>((subscriber) => {
    const parser = new ImageRowParser(path, options, size, labels, (record) => subscriber.next(record));
    let bytesRead = 0;
    return readChunks(path, options.chunkBytes ?? CHUNK_BYTES).subscribe({
      next: (chunk) => {
        try {
          parser.push(chunk);
          bytesRead += chunk.length;
          options.onBytesRead?.(bytesRead);
        } catch (error) {
          subscriber.error(error);
        }
      },
      error: (error) => subscriber.error(error),
      complete: () => {
        try {
          const report = parser.end();
          if (report) {
            if (options.onSkipped) options.onSkipped(report);
            else process.stderr.write(`warning: ${describeSkips(report)}\n`);
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      },
    });
  });
}

/**
 * The Digit Recognizer's name for {@link readImages}: the same reader.
 *
 * @example
 * readDigits('data/train.csv').pipe(normalize(), splitTrainValid())
 */
export const readDigits: (path: string, options?: ReadImagesOptions) => Observable<ImageRecord> = readImages;

/**
 * What an image CSV's first line says (labels, id column, image size), read without reading the
 * rest: how a job learns the size of a file before reading it, and checks that a test file's images
 * are the training file's. Fails like `readImages` on a bad header.
 *
 * @example
 * const { size, labelled } = await readImageHeader('fashion-mnist_test.csv');
 */
export function readImageHeader(path: string, options: Omit<ReadImagesOptions, 'onHeader' | 'onBytesRead' | 'onInvalid' | 'onSkipped'> = {}): Promise<ImageFileHeader> {
  return new Promise<ImageFileHeader>((resolve, reject) => {
    let header: ImageFileHeader | undefined;
    const subscription = readImages(path, {
      ...options,
      // rows are not this function's business: a bad one is reported by the read that follows
      onInvalid: 'skip',
      onSkipped: () => undefined,
      onHeader: (h) => (header = h),
    }).subscribe({
      next: () => {
        if (header) {
          resolve(header);
          queueMicrotask(() => subscription.unsubscribe());
        }
      },
      error: (error: unknown) => (header ? resolve(header) : reject(error)),
      complete: () => (header ? resolve(header) : reject(new InputFileError(path, 1, undefined, 'no header found'))),
    });
  });
}

/** One line describing skipped rows, e.g. `train.csv: skipped 2 invalid rows (lines 3, 9); first: ...`. */
export function describeSkips(report: SkipReport): string {
  const more = report.skipped > report.firstLines.length ? ', ...' : '';
  return `${report.file}: skipped ${report.skipped} invalid row${report.skipped === 1 ? '' : 's'} (line${report.skipped === 1 ? '' : 's'} ${report.firstLines.join(', ')}${more}); first: ${report.firstError}`;
}

/**
 * Parses an image CSV line by line: each line end is found with a native byte search, and a whole
 * line is parsed by a tight loop that accepts only plain integers. Any line that loop refuses
 * (quotes, a label that is a name, a bad value, a wrong field count) is parsed again by a
 * validating slow path that either stores it or names exactly what is wrong.
 */
class ImageRowParser {
  private readonly policy: InvalidRowPolicy;
  private headerParsed = false;
  private labelled = false;
  private fieldsPerRow = 0;
  /** Pixel values per row, and the images' size, once the header (or first line) is read. */
  private pixelsPerRow = 0;
  private size: ImageSize = MNIST_FORMAT;
  /** Number of the line being parsed (the header is line 1). */
  private line = 1;
  private sawBytes = false;
  private rowsEmitted = 0;
  /** The start of a line cut by the end of a chunk. */
  private carry: Uint8Array | null = null;
  private slab = new Uint8Array(0);
  private slabRows = 1;
  private slabUsed = 1;
  private skipped = 0;
  private skippedLines: number[] = [];
  private firstSkipError = '';
  /** The first empty line not yet known to be trailing (empty lines at the end of a file are fine). */
  private pendingBlankLine = 0;
  private readonly maxLineBytes: number;
  /** Column indices of the label and the id among the leading columns (-1: none), and how many lead. */
  private labelIndex = -1;
  private idIndex = -1;
  private leading = 0;
  private idColumn = '';
  private labelColumn = 'label';
  private pixelName: (k: number) => string = (k) => `pixel${k}`;
  /** The line each id was first seen on, to refuse a repeated one. */
  private readonly idLines = new Map<number, number>();
  /** The id and the class the slow path read from the current line. */
  private lineId = 0;
  /** The line of the first data row: 2 after a header, 1 in a headerless file; ids count from it. */
  private firstDataLine = 2;
  /** Scratch for planar rows, which are stored interleaved. */
  private planar: Uint8Array | null = null;

  constructor(
    private readonly file: string,
    private readonly options: ReadImagesOptions,
    private readonly givenSize: ImageSize | undefined,
    private readonly labels: LabelMap | undefined,
    private readonly emit: (record: ImageRecord) => void,
  ) {
    this.policy = options.onInvalid ?? 'fail';
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** A line past the limit: always an error (a line that long cannot be told apart from garbage). */
  private checkLength(bytes: number): void {
    if (bytes > this.maxLineBytes) {
      throw new InputFileError(
        this.file,
        this.line,
        undefined,
        `line is longer than ${formatBytes(this.maxLineBytes)} (the longest line accepted): not an image CSV, or a line end is missing`,
      );
    }
  }

  push(chunk: Uint8Array): void {
    if (chunk.length > 0) this.sawBytes = true;
    let start = 0;
    if (this.carry) {
      const end = chunk.indexOf(LF);
      if (end < 0) {
        this.checkLength(this.carry.length + chunk.length);
        this.carry = concat(this.carry, chunk);
        return;
      }
      this.checkLength(this.carry.length + end);
      const line = concat(this.carry, chunk.subarray(0, end));
      this.carry = null;
      this.lineEnded(line, 0, line.length);
      start = end + 1;
    }
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end < 0) break;
      if (end - start > this.maxLineBytes) this.checkLength(end - start);
      this.lineEnded(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) {
      this.checkLength(chunk.length - start);
      this.carry = chunk.slice(start);
    }
  }

  end(): SkipReport | null {
    const last = this.carry;
    this.carry = null;
    if (!this.headerParsed) {
      const header = last ?? new Uint8Array(0);
      if (!this.sawBytes || isBlank(header)) {
        throw new InputFileError(this.file, 1, undefined, `the file is empty${this.options.header === false ? '' : ' (no header)'}`);
      }
      if (this.options.header === false) this.lineEnded(header, 0, header.length);
      else this.parseHeader(header);
    } else if (last && last.length > 0) {
      // a last line without a line end: complete, or cut off
      const fields = countFields(last);
      if (fields < this.fieldsPerRow) this.fail(undefined, `truncated last line: ${fields} of ${this.fieldsPerRow} fields`);
      else this.parseLine(last, 0, last.length);
    }
    if (this.rowsEmitted === 0 && this.skipped === 0) {
      throw new InputFileError(this.file, this.firstDataLine, undefined, 'no data rows after the header');
    }
    if (this.rowsEmitted === 0) {
      throw new InputFileError(this.file, this.skippedLines[0], undefined, `every row is invalid; first: ${this.firstSkipError}`);
    }
    if (this.skipped === 0) return null;
    return { file: this.file, skipped: this.skipped, firstLines: this.skippedLines, firstError: this.firstSkipError };
  }

  /** A line ended by LF at `end`; a CR before it belongs to the line end. */
  private lineEnded(bytes: Uint8Array, start: number, end: number): void {
    const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
    if (!this.headerParsed && this.options.header === false) this.headerFromFirstLine(bytes.subarray(start, stop));
    if (!this.headerParsed) this.parseHeader(bytes.subarray(start, stop));
    else this.parseLine(bytes, start, stop);
    this.line++;
  }

  /**
   * A headerless file: its first line's field count says whether it is labelled, and the image
   * size (given, or the count that is a square or three squares, with or without a label).
   */
  private headerFromFirstLine(bytes: Uint8Array): void {
    const fields = countFields(bytes);
    const expect = this.options.expect ?? 'either';
    let labelled: boolean;
    let size: ImageSize | undefined = this.givenSize;
    if (size) {
      const count = pixelCount(size);
      if (fields !== count && fields !== count + 1) {
        throw new InputFileError(this.file, 1, undefined, `line 1 has ${fields} fields; ${describeSize(size)} images need ${count + 1} (a label, then ${count} pixels) or ${count}`);
      }
      labelled = fields === count + 1;
    } else {
      const candidates = [
        { labelled: true, size: inferSize(fields - 1) },
        { labelled: false, size: inferSize(fields) },
      ].filter((c): c is { labelled: boolean; size: ImageSize } => c.size !== undefined);
      // a grey square beats RGB: 785 fields are a label and 28x28, never 785 values
      candidates.sort((a, b) => a.size.channels - b.size.channels);
      const pick = candidates.find((c) => expect === 'either' || c.labelled === (expect === 'labelled')) ?? candidates[0];
      if (!pick) {
        throw new InputFileError(
          this.file,
          1,
          undefined,
          `line 1 has ${fields} fields: neither ${fields - 1} nor ${fields} pixel values make a square image (784 = 28x28) or three squares (3072 = 32x32x3)${nearestSquare(fields - 1)}; give the size (--size WxH or WxHx3)`,
        );
      }
      ({ labelled, size } = pick);
    }
    if (expect === 'labelled' && !labelled) {
      throw new InputFileError(this.file, 1, undefined, `expected a labelled file: ${fields + 1} fields on a line (a label, then ${describeSize(size!)} pixels), found ${fields}`);
    }
    if (expect === 'unlabelled' && labelled) {
      throw new InputFileError(this.file, 1, undefined, `expected an unlabelled (test) file: ${fields - 1} fields on a line (${describeSize(size!)} pixels), found ${fields}`);
    }
    this.labelIndex = labelled ? 0 : -1;
    this.leading = labelled ? 1 : 0;
    this.labelled = labelled;
    this.fieldsPerRow = fields;
    this.firstDataLine = 1;
    this.setSize(size!);
    this.headerParsed = true;
    this.options.onHeader?.({ labelled, size: this.size, pixelColumns: [this.pixelName(0), this.pixelName(this.pixelsPerRow - 1)] });
  }

  private setSize(size: ImageSize): void {
    this.size = { width: size.width, height: size.height, channels: size.channels };
    this.pixelsPerRow = pixelCount(size);
    if (this.options.channelOrder === 'planar' && size.channels > 1) this.planar = new Uint8Array(this.pixelsPerRow);
  }

  private parseHeader(bytes: Uint8Array): void {
    let names: string[] = [];
    const parser = new CsvParser(this.file, (row) => (names = row.fields));
    parser.push(new TextDecoder().decode(bytes));
    parser.end();
    const expect = this.options.expect ?? 'either';
    const wantedId = this.options.idColumn;
    const isId = (name: string | undefined): boolean => (wantedId !== undefined ? name === wantedId : /^(id|imageid)$/i.test(name ?? ''));
    for (let k = 0; k < 2 && k < names.length; k++) {
      if (/^label$/i.test(names[k]) && this.labelIndex < 0) this.labelIndex = k;
      else if (isId(names[k]) && this.idIndex < 0) this.idIndex = k;
      else break;
      this.leading++;
    }
    if (wantedId !== undefined && this.idIndex < 0) {
      throw new InputFileError(this.file, 1, undefined, `header: no id column named ${quoteSnippet(wantedId)} before the pixel columns`);
    }
    this.idColumn = this.idIndex >= 0 ? names[this.idIndex] : '';
    const labelled = this.labelIndex >= 0;
    if (labelled) this.labelColumn = names[this.labelIndex];
    if (expect === 'labelled' && !labelled) {
      throw new InputFileError(this.file, 1, names[0] === undefined ? '1' : quoteSnippet(names[0], 20), `expected a labelled file whose header starts with 'label', found ${quoteSnippet(names[0] ?? '')}${delimiterHint(names)}`);
    }
    if (expect === 'unlabelled' && labelled) {
      throw new InputFileError(this.file, 1, this.labelColumn, 'expected an unlabelled (test) file, but the header has a label column');
    }
    const offset = this.leading;
    const pixelNames = pixelColumns(names[offset]);
    if (!pixelNames) {
      throw new InputFileError(
        this.file,
        1,
        `${offset + 1}`,
        `header: expected the first pixel column (pixel0, pixel1 or another name ending in 0 or 1), found ${quoteSnippet(names[offset] ?? '')}${delimiterHint(names)}`,
      );
    }
    const count = names.length - offset;
    const wantedCount = this.givenSize ? pixelCount(this.givenSize) : count;
    for (let k = 0; k < Math.max(wantedCount, count); k++) {
      const found = names[offset + k];
      const wanted = k < wantedCount ? pixelNames(k) : undefined;
      if (found === wanted) continue;
      const sized = this.givenSize ? ` (${describeSize(this.givenSize)})` : '';
      const what =
        found === undefined
          ? `missing column '${wanted}': ${k} pixel columns, expected ${wantedCount}${sized}`
          : wanted === undefined
            ? `unexpected extra column ${quoteSnippet(found)}: expected ${wantedCount} pixel columns${sized}`
            : `expected '${wanted}', found ${quoteSnippet(found)}`;
      throw new InputFileError(
        this.file,
        1,
        `${offset + k + 1}`,
        `header: ${what} (pixel columns are named alike, numbered in order: ${pixelNames(0)}, ${pixelNames(1)}, ...)`,
      );
    }
    const size = this.givenSize ?? inferSize(count);
    if (!size) {
      throw new InputFileError(
        this.file,
        1,
        undefined,
        `header: ${count} pixel columns are neither a square image (784 = 28x28) nor three squares (3072 = 32x32x3)${nearestSquare(count)}; give the size (--size WxH or WxHx3)`,
      );
    }
    this.setSize(size);
    this.pixelName = pixelNames;
    this.options.onHeader?.({
      labelled,
      size: this.size,
      ...(this.idColumn ? { idColumn: this.idColumn } : {}),
      pixelColumns: [pixelNames(0), pixelNames(count - 1)],
    });
    this.labelled = labelled;
    this.fieldsPerRow = offset + count;
    this.headerParsed = true;
  }

  private parseLine(bytes: Uint8Array, start: number, end: number): void {
    if (start === end) {
      this.pendingBlankLine ||= this.line;
      return;
    }
    if (this.pendingBlankLine) {
      // an empty line with data after it: not the end of the file
      const blank = this.pendingBlankLine;
      this.pendingBlankLine = 0;
      this.fail(undefined, 'empty line', blank);
    }
    const stride = this.pixelsPerRow;
    if (this.slabUsed === this.slabRows) {
      this.slabRows = Math.max(1, Math.min(SLAB_RECORDS, Math.floor(SLAB_BYTES / stride)));
      this.slab = new Uint8Array(this.slabRows * stride);
      this.slabUsed = 0;
    }
    const pixels = this.slab.subarray(this.slabUsed * stride, (this.slabUsed + 1) * stride);
    let id = this.line - this.firstDataLine + 1;
    let label = INVALID;
    // the fast path: leading integer columns, then plain pixel values
    let from = start;
    let labelValue = 0;
    let fast = true;
    for (let k = 0; k < this.leading && fast; k++) {
      const comma = bytes.indexOf(COMMA, from);
      const value = comma < 0 || comma >= end ? INVALID : parseUintFast(bytes, from, comma);
      if (value === INVALID) fast = false;
      else if (k === this.idIndex) id = value;
      else labelValue = value;
      from = comma + 1;
    }
    if (fast && parsePixelsFast(bytes, from, end, pixels, stride)) {
      label = this.labelled ? this.classOfValue(labelValue) : 0;
    } else {
      label = this.parseLineSlowly(bytes, start, end, pixels);
      id = this.idIndex >= 0 ? this.lineId : id;
    }
    if (label === INVALID) return;
    if (this.idIndex >= 0) {
      const first = this.idLines.get(id);
      if (first !== undefined) {
        this.fail(this.idColumn, `duplicate id ${id} (first on line ${first})`);
        return;
      }
      this.idLines.set(id, this.line);
    }
    if (this.planar) interleave(pixels, this.planar, this.size);
    this.slabUsed++;
    this.emit(this.labelled ? { id, label, pixels } : { id, pixels });
    this.rowsEmitted++;
  }

  /** The class of an integer label, or INVALID after failing / skipping the row. */
  private classOfValue(value: number): number {
    if (!this.labels) {
      return value < MAX_CLASSES ? value : this.fail(this.labelColumn, `label ${value} is outside 0–${MAX_CLASSES - 1} (give the classes, or a LabelMap, to map other labels)`);
    }
    const k = this.labels.indexOfValue(value);
    return typeof k === 'number' ? k : this.fail(this.labelColumn, k);
  }

  /** The class of a label that is not a plain integer, or INVALID. */
  private classOfText(text: string): number {
    if (text === '') return this.fail(this.labelColumn, 'empty label');
    if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
      const value = Number(text);
      if (this.labels) {
        const k = this.labels.indexOf(text);
        return typeof k === 'number' ? k : this.fail(this.labelColumn, k);
      }
      return value >= 0 ? this.classOfValue(value) : this.fail(this.labelColumn, `label ${value} is outside 0–${MAX_CLASSES - 1} (give the classes, or a LabelMap, to map other labels)`);
    }
    if (!this.labels) {
      return this.fail(this.labelColumn, `label ${quoteSnippet(text, 20)} is not an integer: labels that are names need the classes (or a LabelMap)`);
    }
    const k = this.labels.indexOf(text);
    return typeof k === 'number' ? k : this.fail(this.labelColumn, k);
  }

  /**
   * Validates a line field by field: stores it and returns its class (0 when unlabelled), or fails /
   * skips it and returns INVALID.
   */
  private parseLineSlowly(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): number {
    if (start === end) return this.fail(undefined, 'empty line');
    const fields = splitFields(utf8(bytes, start, end));
    if (fields.length > this.fieldsPerRow) {
      return this.fail(`${this.fieldsPerRow + 1}`, `too many fields: a row has ${this.fieldsPerRow}`);
    }
    if (fields.length < this.fieldsPerRow) {
      return this.fail(undefined, `expected ${this.fieldsPerRow} fields, found ${fields.length}`);
    }
    const offset = this.leading;
    let labelText = '';
    for (let k = 0; k < fields.length; k++) {
      const text = fields[k];
      const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
      if (k === this.labelIndex) {
        labelText = unquoted.trim();
        continue;
      }
      const isId = k === this.idIndex;
      const value = /^-?\d+$/.test(unquoted) ? Number(unquoted) : NaN;
      const max = isId ? MAX_ID : 255;
      if (!(value >= 0 && value <= max)) {
        let reason: string;
        if (unquoted === '') reason = 'empty value';
        else if (Number.isNaN(value)) reason = `${quoteSnippet(text, 20)} is not an integer`;
        else reason = isId ? `id ${unquoted} is outside 0–${MAX_ID}` : `pixel value ${unquoted} is outside 0–255`;
        return this.fail(isId ? this.idColumn : this.pixelName(k - offset), reason);
      }
      if (isId) this.lineId = value;
      else pixels[k - offset] = value;
    }
    // the label last: a row refused for its pixels must not add a class to a growing LabelMap
    return this.labelled ? this.classOfText(labelText) : 0;
  }

  /** Fails (policy 'fail') or records a skipped row (policy 'skip'); returns INVALID for the caller. */
  private fail(column: string | undefined, reason: string, line: number = this.line): typeof INVALID {
    const error = new InputFileError(this.file, line, column, reason);
    if (this.policy === 'fail') throw error;
    this.skipped++;
    if (this.skippedLines.length < MAX_LISTED_LINES) this.skippedLines.push(line);
    if (this.skipped === 1) this.firstSkipError = error.message;
    return INVALID;
  }
}

/** Smaller images are never guessed from a count (three fields are not a 1x1 RGB image): give the size. */
const MIN_INFERRED_SIDE = 4;

/** The size a pixel count implies, for images of at least MIN_INFERRED_SIDE a side. */
function inferSize(count: number): ImageSize | undefined {
  const size = sizeFromPixelCount(count);
  return size && size.width >= MIN_INFERRED_SIDE ? size : undefined;
}

/** `(the nearest is 784 = 28x28: is a pixel column missing or extra?)` when a count is one or two off a square. */
function nearestSquare(count: number): string {
  const side = Math.max(MIN_INFERRED_SIDE, Math.round(Math.sqrt(count)));
  return count > 0 && Math.abs(side * side - count) <= 2 ? ` (the nearest is ${side * side} = ${side}x${side}: is a pixel column missing or extra?)` : '';
}

/** Returned by the fast parsers when a line needs the validating slow path. */
const INVALID = -1;
/** Ids are stored as Int32. */
const MAX_ID = 2 ** 31 - 1;

/** A plain non-negative integer between `start` and `end`, or INVALID for anything else. */
function parseUintFast(bytes: Uint8Array, start: number, end: number): number {
  if (end === start || end - start > 10) return INVALID;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - ZERO;
    if (digit < 0 || digit > 9) return INVALID;
    value = value * 10 + digit;
  }
  return value > MAX_ID ? INVALID : value;
}

/** Exactly `count` comma-separated values of 1–3 digits, each at most 255. */
function parsePixelsFast(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array, count: number): boolean {
  let field = 0;
  let value = 0;
  let fieldStart = start;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - ZERO;
    if (digit >= 0 && digit <= 9) {
      value = value * 10 + digit;
      continue;
    }
    if (bytes[i] !== COMMA || i === fieldStart || i - fieldStart > 3 || value > 255 || field >= count - 1) return false;
    pixels[field++] = value;
    value = 0;
    fieldStart = i + 1;
  }
  if (end === fieldStart || end - fieldStart > 3 || value > 255 || field !== count - 1) return false;
  pixels[field] = value;
  return true;
}

/** Planar RGB (all red, all green, all blue) rewritten in place as interleaved (r, g, b per pixel). */
function interleave(pixels: Uint8Array, scratch: Uint8Array, size: ImageSize): void {
  scratch.set(pixels);
  const plane = size.width * size.height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < size.channels; c++) pixels[p * size.channels + c] = scratch[c * plane + p];
  }
}

/** A line's fields, with commas inside double quotes kept (a label such as "Ankle boot, left"). */
function splitFields(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}

/**
 * The pixel columns' names, from the first one: `pixel0` numbers them from 0 (Kaggle's Digit
 * Recognizer), `pixel1` from 1 (Kaggle's Fashion-MNIST), and any other prefix likewise; undefined
 * when the name does not end in 0 or 1.
 */
function pixelColumns(first: string | undefined): ((k: number) => string) | undefined {
  const match = first === undefined ? null : /^(.*?)([01])$/.exec(first);
  if (!match) return undefined;
  const [, prefix, start] = match;
  return (k) => `${prefix}${k + Number(start)}`;
}

/** A header that is one field holding `;` or tabs was most likely written with another delimiter. */
function delimiterHint(names: readonly string[]): string {
  if (names.length !== 1) return '';
  const other = [';', '\t', '|'].find((d) => names[0].includes(d));
  return other ? ` (the header has no commas: is the file separated by ${other === '\t' ? 'tabs' : `'${other}'`}? image CSVs use commas)` : '';
}

function countFields(bytes: Uint8Array): number {
  let fields = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === COMMA) fields++;
  return fields;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function utf8(bytes: Uint8Array, start: number, end: number): string {
  return start >= end ? '' : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

function isBlank(bytes: Uint8Array): boolean {
  // a lone BOM counts as empty
  return bytes.length === 0 || (bytes.length === 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
}
