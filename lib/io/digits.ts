import { Observable } from 'rxjs';
import { InputFileError, UserError } from '../errors.ts';
import { PIXELS, type DigitRecord } from '../types.ts';
import { CHUNK_BYTES, readChunks } from './chunks.ts';
import { CsvParser } from './csv.ts';

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

export interface ReadDigitsOptions {
  onInvalid?: InvalidRowPolicy;
  /**
   * Called once, at the end, when rows were skipped. Without it a one-line warning goes to stderr:
   * skipping is never silent.
   */
  onSkipped?: (report: SkipReport) => void;
  /** Require a label column ('labelled', train.csv) or its absence ('unlabelled', test.csv). */
  expect?: 'labelled' | 'unlabelled' | 'either';
  chunkBytes?: number;
}

const LF = 10;
const CR = 13;
const COMMA = 44;
const QUOTE = 34;
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
  return new Observable<DigitRecord>((subscriber) => {
    const parser = new DigitRowParser(path, options, (record) => subscriber.next(record));
    return readChunks(path, options.chunkBytes ?? CHUNK_BYTES).subscribe({
      next: (chunk) => {
        try {
          parser.push(chunk);
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

class DigitRowParser {
  private readonly policy: InvalidRowPolicy;
  private headerBytes: number[] | null = [];
  private labelled = false;
  private fieldsPerRow = 0;
  private line = 1;
  private sawAnyByte = false;
  private rowsEmitted = 0;
  // state of the row being parsed, kept across chunk boundaries
  private fieldIndex = 0;
  private value = 0;
  private digits = 0;
  private badChar = false;
  private pendingCR = false;
  private skippingRow = false;
  private carry = '';
  private label = 0;
  private slab = new Uint8Array(0);
  private slabUsed = SLAB_RECORDS;
  private pixels = new Uint8Array(0);
  private skipped = 0;
  private skippedLines: number[] = [];
  private firstSkipError = '';

  constructor(
    private readonly file: string,
    private readonly options: ReadDigitsOptions,
    private readonly emit: (record: DigitRecord) => void,
  ) {
    this.policy = options.onInvalid ?? 'fail';
    if (this.policy !== 'fail' && this.policy !== 'skip') {
      throw new UserError(`onInvalid must be 'fail' or 'skip', got '${String(this.policy)}'`);
    }
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    if (!this.sawAnyByte && chunk.length > 0) this.sawAnyByte = true;
    if (this.headerBytes) {
      i = this.readHeader(chunk);
      if (this.headerBytes) return;
    }
    this.parseRows(chunk, i);
  }

  end(): SkipReport | null {
    if (this.headerBytes) {
      if (this.headerBytes.length === 0 || !this.sawAnyByte || isBlank(this.headerBytes)) {
        throw new InputFileError(this.file, 1, undefined, 'the file is empty (no header)');
      }
      this.parseHeader(this.headerBytes);
      this.headerBytes = null;
    }
    const midRow = this.fieldIndex > 0 || this.digits > 0 || this.badChar;
    if (midRow && !this.skippingRow) {
      const found = this.fieldIndex + 1;
      if (found < this.fieldsPerRow) {
        this.fail(undefined, `truncated last line: ${found} of ${this.fieldsPerRow} fields`);
      } else {
        this.endField();
        if (!this.skippingRow) this.endRow();
      }
    }
    if (this.rowsEmitted === 0 && this.skipped === 0) {
      throw new InputFileError(this.file, 2, undefined, 'no data rows after the header');
    }
    if (this.rowsEmitted === 0) {
      throw new InputFileError(this.file, this.skippedLines[0], undefined, `every row is invalid; first: ${this.firstSkipError}`);
    }
    if (this.skipped === 0) return null;
    return { file: this.file, skipped: this.skipped, firstLines: this.skippedLines, firstError: this.firstSkipError };
  }

  /** Collects the header line (which may span chunks); returns where data starts in this chunk. */
  private readHeader(chunk: Uint8Array): number {
    const header = this.headerBytes!;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === LF || c === CR) {
        this.parseHeader(header);
        this.headerBytes = null;
        this.line = 2;
        if (c === CR) {
          if (i + 1 < chunk.length) {
            if (chunk[i + 1] === LF) return i + 2;
          } else this.pendingCR = true;
        }
        return i + 1;
      }
      header.push(c);
    }
    return chunk.length;
  }

  private parseHeader(bytes: number[]): void {
    let names: string[] = [];
    const parser = new CsvParser(this.file, (row) => (names = row.fields));
    parser.push(new TextDecoder().decode(new Uint8Array(bytes)));
    parser.end();
    const expect = this.options.expect ?? 'either';
    const labelled = names[0] === 'label';
    if (expect === 'labelled' && !labelled) {
      throw new InputFileError(this.file, 1, names[0] ?? '1', `expected a labelled file whose header starts with 'label', found '${names[0] ?? ''}'`);
    }
    if (expect === 'unlabelled' && labelled) {
      throw new InputFileError(this.file, 1, 'label', 'expected an unlabelled (test) file, but the header has a label column');
    }
    const wanted = digitHeader(labelled);
    for (let k = 0; k < Math.max(wanted.length, names.length); k++) {
      if (names[k] !== wanted[k]) {
        const what = names[k] === undefined ? `missing column '${wanted[k]}'` : wanted[k] === undefined ? `unexpected extra column '${names[k]}'` : `expected '${wanted[k]}', found '${names[k]}'`;
        throw new InputFileError(this.file, 1, `${k + 1}`, `header: ${what} (a digit CSV has ${labelled ? 'label,' : ''}pixel0..pixel783)`);
      }
    }
    this.labelled = labelled;
    this.fieldsPerRow = wanted.length;
  }

  private parseRows(chunk: Uint8Array, from: number): void {
    // Hot loop: state lives in locals and is written back at the end of the chunk.
    let value = this.value;
    let digits = this.digits;
    let badChar = this.badChar;
    if (this.pendingCR && from < chunk.length) {
      this.pendingCR = false;
      if (chunk[from] === LF) from++;
    }
    let fieldStart = from;
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i];
      if (c >= ZERO && c <= NINE) {
        value = value * 10 + (c - ZERO);
        digits++;
        continue;
      }
      if (c === COMMA || c === LF || c === CR) {
        const fieldEnd = i;
        if (c === CR) {
          // CRLF is one line end; a CR at the chunk's end is resolved by the next chunk
          if (i + 1 < chunk.length) {
            if (chunk[i + 1] === LF) i++;
          } else this.pendingCR = true;
        }
        if (this.skippingRow) {
          if (c !== COMMA) this.finishSkippedRow();
        } else {
          this.value = value;
          this.digits = digits;
          this.badChar = badChar;
          if (this.fieldIndex >= this.fieldsPerRow - 1 && c === COMMA) {
            this.fail(`${this.fieldIndex + 2}`, `too many fields: a row has ${this.fieldsPerRow}`);
          } else if (c === COMMA) {
            this.endField(chunk, fieldStart, fieldEnd);
            if (!this.skippingRow) this.fieldIndex++;
          } else if (this.fieldIndex === 0 && digits === 0 && !badChar) {
            this.fail(undefined, 'empty line');
            this.finishSkippedRow();
          } else if (this.fieldIndex < this.fieldsPerRow - 1) {
            this.fail(undefined, `expected ${this.fieldsPerRow} fields, found ${this.fieldIndex + 1}`);
            this.finishSkippedRow();
          } else {
            this.endField(chunk, fieldStart, fieldEnd);
            if (this.skippingRow) this.finishSkippedRow();
            else this.endRow();
          }
        }
        value = 0;
        digits = 0;
        badChar = false;
        fieldStart = i + 1;
        continue;
      }
      if (c !== QUOTE) badChar = true; // quotes around a number are allowed and ignored
    }
    this.value = value;
    this.digits = digits;
    this.badChar = badChar;
    // keep the text of a field cut by the chunk end, for error messages only
    this.carry = fieldStart < chunk.length ? Buffer.from(chunk.buffer, chunk.byteOffset + fieldStart, chunk.length - fieldStart).toString('latin1') : '';
  }

  private columnName(index: number): string {
    if (this.labelled) return index === 0 ? 'label' : `pixel${index - 1}`;
    return `pixel${index}`;
  }

  /** Checks and stores the field just ended; on a bad value fails (or starts skipping the row). */
  private endField(chunk?: Uint8Array, start = 0, end = 0): void {
    const index = this.fieldIndex;
    if (index === 0) this.startRow();
    const isLabel = this.labelled && index === 0;
    const value = this.value;
    if (this.badChar || this.digits === 0 || (isLabel ? value > 9 : value > 255)) {
      const text = this.carry + (chunk ? Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start).toString('latin1') : '');
      const shown = text.replaceAll('"', '');
      let reason: string;
      if (this.digits === 0 && !this.badChar) reason = 'empty value';
      else if (this.badChar) reason = `'${text.length > 20 ? `${text.slice(0, 20)}...` : text}' is not an integer`;
      else reason = isLabel ? `label ${shown} is outside 0–9` : `pixel value ${shown} is outside 0–255`;
      this.fail(this.columnName(index), reason);
      this.carry = '';
      return;
    }
    this.carry = '';
    if (isLabel) this.label = value;
    else this.pixels[index - (this.labelled ? 1 : 0)] = value;
  }

  private startRow(): void {
    if (this.slabUsed === SLAB_RECORDS) {
      this.slab = new Uint8Array(SLAB_RECORDS * PIXELS);
      this.slabUsed = 0;
    }
    this.pixels = this.slab.subarray(this.slabUsed * PIXELS, (this.slabUsed + 1) * PIXELS);
  }

  private endRow(): void {
    const id = this.line - 1;
    this.slabUsed++;
    this.emit(this.labelled ? { id, label: this.label, pixels: this.pixels } : { id, pixels: this.pixels });
    this.rowsEmitted++;
    this.fieldIndex = 0;
    this.line++;
  }

  private fail(column: string | undefined, reason: string): void {
    const error = new InputFileError(this.file, this.line, column, reason);
    if (this.policy === 'fail') throw error;
    if (this.skippingRow) return;
    this.skippingRow = true;
    this.skipped++;
    if (this.skippedLines.length < MAX_LISTED_LINES) this.skippedLines.push(this.line);
    if (this.skipped === 1) this.firstSkipError = error.message;
  }

  private finishSkippedRow(): void {
    this.skippingRow = false;
    this.fieldIndex = 0;
    this.carry = '';
    this.line++;
  }
}

function isBlank(bytes: number[]): boolean {
  // a lone BOM counts as empty
  return bytes.length === 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}
