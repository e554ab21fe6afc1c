import { Observable } from 'rxjs';
import { InputFileError, UserError } from '../errors.ts';
import { PIXELS, type DigitRecord } from '../types.ts';
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

/** What a digit CSV's header says (see `onHeader` in {@link ReadDigitsOptions}). */
export interface DigitFileHeader {
  labelled: boolean;
  /** The id column's name, when the file has one (Kannada-MNIST's test file: `id`). */
  idColumn?: string;
  /** The first and last pixel columns' names (`pixel0`..`pixel783`, `pixel1`..`pixel784`, ...). */
  pixelColumns: [string, string];
}

/** Options of {@link readDigits}. */
export interface ReadDigitsOptions {
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
  /** Told what the header says, once it is read: whether there are labels, and the id column. */
  onHeader?: (header: DigitFileHeader) => void;
  /**
   * Whether the first line is a header (default true). A headerless file (EMNIST's CSVs) has, on
   * every line, a label then 784 pixels, or the 784 pixels alone; its ids are its line numbers.
   */
  header?: boolean;
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
/** Records are carved out of shared slabs: one allocation per SLAB_RECORDS rows instead of one per row. */
const SLAB_RECORDS = 1024;
const MAX_LISTED_LINES = 10;


/** The expected header: `label,pixel0..pixel783` for labelled files, `pixel0..pixel783` for unlabelled. */
export function digitHeader(labelled: boolean): string[] {
  const pixels = Array.from({ length: PIXELS }, (_, i) => `pixel${i}`);
  return labelled ? ['label', ...pixels] : pixels;
}

/**
 * Streams a Kaggle Digit Recognizer CSV (train.csv: `label,pixel0..pixel783`; test.csv:
 * `pixel0..pixel783`) as `DigitRecord`s, with `id` the 1-based data row number (Kaggle's ImageId).
 * Bytes are parsed directly, chunk by chunk, and every value is checked: a bad header, a wrong
 * number of fields, a pixel that is not an integer in 0–255 or a label outside 0–9 fails with
 * `file:line: column name: reason`, or, with `onInvalid: 'skip'`, is left out and reported.
 *
 * @example
 * readDigits('data/train.csv').pipe(normalize(), splitTrainValid())
 */
export function readDigits(path: string, options: ReadDigitsOptions = {}): Observable<DigitRecord> {
  checkReadOptions('readDigits', options);
  if (options.expect !== undefined && !['labelled', 'unlabelled', 'either'].includes(options.expect)) {
    throw new UserError(`readDigits: expect must be 'labelled', 'unlabelled' or 'either', got ${quoteSnippet(String(options.expect))}`);
  }
  if (options.header !== undefined && typeof options.header !== 'boolean') {
    throw new UserError(`readDigits: header must be true or false, got ${quoteSnippet(String(options.header))}`);
  }
  if (options.header === false && options.idColumn !== undefined) {
    throw new UserError('readDigits: idColumn needs a header to find the column by name; a headerless file has none');
  }
  if (options.onInvalid !== undefined && options.onInvalid !== 'fail' && options.onInvalid !== 'skip') {
    throw new UserError(`readDigits: onInvalid must be 'fail' or 'skip', got ${quoteSnippet(String(options.onInvalid))}`);
  }
  return new Observable<DigitRecord>((subscriber) => {
    const parser = new DigitRowParser(path, options, (record) => subscriber.next(record));
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

/** One line describing skipped rows, e.g. `train.csv: skipped 2 invalid rows (lines 3, 9); first: ...`. */
export function describeSkips(report: SkipReport): string {
  const more = report.skipped > report.firstLines.length ? ', ...' : '';
  return `${report.file}: skipped ${report.skipped} invalid row${report.skipped === 1 ? '' : 's'} (line${report.skipped === 1 ? '' : 's'} ${report.firstLines.join(', ')}${more}); first: ${report.firstError}`;
}

/**
 * Parses a digit CSV line by line: each line end is found with a native byte search, and a whole
 * line is parsed by a tight loop that accepts only plain 1–3 digit values. Any line that loop
 * refuses (quotes, a bad value, a wrong field count) is parsed again by a validating slow path
 * that either stores it or names exactly what is wrong.
 */
class DigitRowParser {
  private readonly policy: InvalidRowPolicy;
  private headerParsed = false;
  private labelled = false;
  private fieldsPerRow = 0;
  /** Number of the line being parsed (the header is line 1). */
  private line = 1;
  private sawBytes = false;
  private rowsEmitted = 0;
  /** The start of a line cut by the end of a chunk. */
  private carry: Uint8Array | null = null;
  private slab = new Uint8Array(0);
  private slabUsed = SLAB_RECORDS;
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
  private pixelName: (k: number) => string = (k) => `pixel${k}`;
  /** The line each id was first seen on, to refuse a repeated one. */
  private readonly idLines = new Map<number, number>();
  /** The id the slow path read from the current line. */
  private lineId = 0;
  /** The line of the first data row: 2 after a header, 1 in a headerless file; ids count from it. */
  private firstDataLine = 2;

  constructor(
    private readonly file: string,
    private readonly options: ReadDigitsOptions,
    private readonly emit: (record: DigitRecord) => void,
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
        `line is longer than ${formatBytes(this.maxLineBytes)} (the longest line accepted): not a digit CSV, or a line end is missing`,
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

  /** A headerless file: its first line's field count says whether it is labelled. */
  private headerFromFirstLine(bytes: Uint8Array): void {
    const fields = countFields(bytes);
    if (fields !== PIXELS && fields !== PIXELS + 1) {
      throw new InputFileError(this.file, 1, undefined, `a headerless digit CSV has ${PIXELS + 1} fields on a line (a label, then ${PIXELS} pixels) or ${PIXELS}; line 1 has ${fields}`);
    }
    const labelled = fields === PIXELS + 1;
    if (this.options.expect === 'labelled' && !labelled) throw new InputFileError(this.file, 1, undefined, `expected a labelled file: ${PIXELS + 1} fields on a line, found ${fields}`);
    if (this.options.expect === 'unlabelled' && labelled) throw new InputFileError(this.file, 1, undefined, `expected an unlabelled (test) file: ${PIXELS} fields on a line, found ${fields}`);
    this.labelIndex = labelled ? 0 : -1;
    this.leading = labelled ? 1 : 0;
    this.labelled = labelled;
    this.fieldsPerRow = fields;
    this.firstDataLine = 1;
    this.headerParsed = true;
    this.options.onHeader?.({ labelled, pixelColumns: [this.pixelName(0), this.pixelName(PIXELS - 1)] });
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
      if (names[k] === 'label' && this.labelIndex < 0) this.labelIndex = k;
      else if (isId(names[k]) && this.idIndex < 0) this.idIndex = k;
      else break;
      this.leading++;
    }
    if (wantedId !== undefined && this.idIndex < 0) {
      throw new InputFileError(this.file, 1, undefined, `header: no id column named ${quoteSnippet(wantedId)} before the pixel columns`);
    }
    this.idColumn = this.idIndex >= 0 ? names[this.idIndex] : '';
    const labelled = this.labelIndex >= 0;
    if (expect === 'labelled' && !labelled) {
      throw new InputFileError(this.file, 1, names[0] === undefined ? '1' : quoteSnippet(names[0], 20), `expected a labelled file whose header starts with 'label', found ${quoteSnippet(names[0] ?? '')}${delimiterHint(names)}`);
    }
    if (expect === 'unlabelled' && labelled) {
      throw new InputFileError(this.file, 1, 'label', 'expected an unlabelled (test) file, but the header has a label column');
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
    for (let k = 0; k < Math.max(PIXELS, names.length - offset); k++) {
      const found = names[offset + k];
      const wanted = k < PIXELS ? pixelNames(k) : undefined;
      if (found === wanted) continue;
      const what =
        found === undefined
          ? `missing column '${wanted}': ${k} pixel columns, expected ${PIXELS} (28 x 28)`
          : wanted === undefined
            ? `unexpected extra column ${quoteSnippet(found)}: expected ${PIXELS} pixel columns (28 x 28)`
            : `expected '${wanted}', found ${quoteSnippet(found)}`;
      throw new InputFileError(this.file, 1, `${offset + k + 1}`, `header: ${what} (a digit CSV has ${names.slice(0, offset).map((n) => `${n}, `).join('')}then ${PIXELS} pixel columns named like ${pixelNames(0)}..${pixelNames(PIXELS - 1)})`);
    }
    this.pixelName = pixelNames;
    this.options.onHeader?.({ labelled, ...(this.idColumn ? { idColumn: this.idColumn } : {}), pixelColumns: [pixelNames(0), pixelNames(PIXELS - 1)] });
    this.labelled = labelled;
    this.fieldsPerRow = offset + PIXELS;
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
    if (this.slabUsed === SLAB_RECORDS) {
      this.slab = new Uint8Array(SLAB_RECORDS * PIXELS);
      this.slabUsed = 0;
    }
    const pixels = this.slab.subarray(this.slabUsed * PIXELS, (this.slabUsed + 1) * PIXELS);
    if (this.idIndex >= 0) {
      this.parseLineWithId(bytes, start, end, pixels);
      return;
    }
    let label = this.labelled ? parseLabelledFast(bytes, start, end, pixels) : parseUnlabelledFast(bytes, start, end, pixels);
    if (label === INVALID) label = this.parseLineSlowly(bytes, start, end, pixels);
    if (label === INVALID) return;
    this.slabUsed++;
    const id = this.line - this.firstDataLine + 1;
    this.emit(this.labelled ? { id, label, pixels } : { id, pixels });
    this.rowsEmitted++;
  }

  /** A line of a file with an id column: the id is the record's, and must not repeat. */
  private parseLineWithId(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): void {
    let id = INVALID;
    let label = INVALID;
    if (this.idIndex === 0) {
      // the id first (Kannada-MNIST's test file), then the usual fast paths on the rest
      id = parseIdFast(bytes, start, end);
      const from = bytes.indexOf(COMMA, start) + 1;
      if (id !== INVALID) label = this.labelled ? parseLabelledFast(bytes, from, end, pixels) : parseUnlabelledFast(bytes, from, end, pixels);
    }
    if (label === INVALID) {
      label = this.parseLineSlowly(bytes, start, end, pixels);
      if (label === INVALID) return;
      id = this.lineId;
    }
    const first = this.idLines.get(id);
    if (first !== undefined) {
      this.fail(this.idColumn, `duplicate id ${id} (first on line ${first})`);
      return;
    }
    this.idLines.set(id, this.line);
    this.slabUsed++;
    this.emit(this.labelled ? { id, label, pixels } : { id, pixels });
    this.rowsEmitted++;
  }

  /**
   * Validates a line field by field: stores it and returns its label (0 when unlabelled), or fails /
   * skips it and returns INVALID.
   */
  private parseLineSlowly(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): number {
    if (start === end) return this.fail(undefined, 'empty line');
    const fields = latin1(bytes, start, end).split(',');
    if (fields.length > this.fieldsPerRow) {
      return this.fail(`${this.fieldsPerRow + 1}`, `too many fields: a row has ${this.fieldsPerRow}`);
    }
    if (fields.length < this.fieldsPerRow) {
      return this.fail(undefined, `expected ${this.fieldsPerRow} fields, found ${fields.length}`);
    }
    const offset = this.leading;
    let label = 0;
    for (let k = 0; k < fields.length; k++) {
      const text = fields[k];
      const isLabel = k === this.labelIndex;
      const isId = k === this.idIndex;
      const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
      const value = /^-?\d+$/.test(unquoted) ? Number(unquoted) : NaN;
      const max = isId ? MAX_ID : isLabel ? 9 : 255;
      if (!(value >= 0 && value <= max)) {
        let reason: string;
        if (unquoted === '') reason = 'empty value';
        else if (Number.isNaN(value)) reason = `${quoteSnippet(text, 20)} is not an integer`;
        else if (isId) reason = `id ${unquoted} is outside 0–${MAX_ID}`;
        else reason = isLabel ? `label ${unquoted} is outside 0–9` : `pixel value ${unquoted} is outside 0–255`;
        return this.fail(isId ? this.idColumn : isLabel ? 'label' : this.pixelName(k - offset), reason);
      }
      if (isLabel) label = value;
      else if (isId) this.lineId = value;
      else pixels[k - offset] = value;
    }
    return label;
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

/** Returned by the fast parsers when a line needs the validating slow path. */
const INVALID = -1;
/** Ids are stored as Int32. */
const MAX_ID = 2 ** 31 - 1;

/** A plain non-negative integer id up to the first comma, or INVALID for anything else. */
function parseIdFast(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let i = start;
  for (; i < end && bytes[i] !== COMMA; i++) {
    const digit = bytes[i] - ZERO;
    if (digit < 0 || digit > 9 || i - start > 9) return INVALID;
    value = value * 10 + digit;
  }
  return i === start || i === end || value > MAX_ID ? INVALID : value;
}

/**
 * `label,p0,...,p783` of plain digits into `pixels`; returns the label, or INVALID for anything
 * unusual (the slow path then says what).
 */
function parseLabelledFast(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): number {
  if (end - start < 2 || bytes[start + 1] !== COMMA) return INVALID;
  const label = bytes[start] - ZERO;
  if (label < 0 || label > 9) return INVALID;
  return parsePixelsFast(bytes, start + 2, end, pixels) ? label : INVALID;
}

function parseUnlabelledFast(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): number {
  return parsePixelsFast(bytes, start, end, pixels) ? 0 : INVALID;
}

/** Exactly 784 comma-separated values of 1–3 digits, each at most 255. */
function parsePixelsFast(bytes: Uint8Array, start: number, end: number, pixels: Uint8Array): boolean {
  let field = 0;
  let value = 0;
  let fieldStart = start;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - ZERO;
    if (digit >= 0 && digit <= 9) {
      value = value * 10 + digit;
      continue;
    }
    if (bytes[i] !== COMMA || i === fieldStart || i - fieldStart > 3 || value > 255 || field >= PIXELS - 1) return false;
    pixels[field++] = value;
    value = 0;
    fieldStart = i + 1;
  }
  if (end === fieldStart || end - fieldStart > 3 || value > 255 || field !== PIXELS - 1) return false;
  pixels[field] = value;
  return true;
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
  return other ? ` (the header has no commas: is the file separated by ${other === '\t' ? 'tabs' : `'${other}'`}? digit CSVs use commas)` : '';
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

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return start >= end ? '' : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

function isBlank(bytes: Uint8Array): boolean {
  // a lone BOM counts as empty
  return bytes.length === 0 || (bytes.length === 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
}
