import { Observable } from 'rxjs';
import { StringDecoder } from 'node:string_decoder';
import { InputFileError, UserError } from '../errors.ts';
import { CHUNK_BYTES, checkReadOptions, MAX_LINE_BYTES, readChunks } from './chunks.ts';
import { formatBytes, quoteSnippet } from './snippet.ts';

/** One CSV record: its fields and the (1-based) line it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Options of {@link readCsv}. */
export interface CsvOptions {
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
  /** The longest record accepted, in characters (default 4 Mi): a longer one fails at once. */
  maxLineBytes?: number;
  /** The longest field accepted, in characters (default 1 Mi). */
  maxFieldBytes?: number;
}

/** Default longest field: far above any value a data set holds, far below what would strain memory. */
export const MAX_FIELD_BYTES = 1 << 20;

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/**
 * Streams a CSV file as rows of string fields (RFC 4180: quoted fields with `""` escapes and line
 * breaks inside quotes, LF or CRLF line ends, an optional UTF-8 BOM). The file is read in chunks and
 * closed when the subscriber unsubscribes.
 *
 * @example
 * readCsv('sample_submission.csv').pipe(skip(1), map((row) => Number(row.fields[0])))
 */
export function readCsv(path: string, options: CsvOptions = {}): Observable<CsvRow> {
  checkReadOptions('readCsv', options);
  if (options.maxFieldBytes !== undefined && !(Number.isSafeInteger(options.maxFieldBytes) && options.maxFieldBytes >= 1)) {
    throw new UserError(`readCsv: maxFieldBytes must be an integer >= 1, got ${String(options.maxFieldBytes)}`);
  }
  return new Observable<CsvRow>((subscriber) => {
    const parser = new CsvParser(path, (row) => subscriber.next(row), options);
    const decoder = new StringDecoder('utf8');
    return readChunks(path, options.chunkBytes ?? CHUNK_BYTES).subscribe({
      next: (chunk) => {
        try {
          parser.push(decoder.write(chunk));
        } catch (error) {
          subscriber.error(error);
        }
      },
      error: (error) => subscriber.error(error),
      complete: () => {
        try {
          parser.push(decoder.end());
          parser.end();
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      },
    });
  });
}

/** Incremental CSV state machine: text goes in by pieces, complete rows come out. */
export class CsvParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** Just left a quoted section: only a quote (escape), a comma or a line end may follow. */
  private afterQuote = false;
  private pendingCR = false;
  private line = 1;
  private rowLine = 1;
  private atStart = true;
  private rowHasContent = false;
  /** Characters of the current record in fields already ended. */
  private rowLength = 0;
  private readonly maxLine: number;
  private readonly maxField: number;

  constructor(
    private readonly file: string,
    private readonly emit: (row: CsvRow) => void,
    limits: Pick<CsvOptions, 'maxLineBytes' | 'maxFieldBytes'> = {},
  ) {
    this.maxLine = limits.maxLineBytes ?? MAX_LINE_BYTES;
    this.maxField = limits.maxFieldBytes ?? MAX_FIELD_BYTES;
  }

  /** Fails once the field or record being read passes its limit, before it can grow further. */
  private checkLimits(): void {
    if (this.field.length > this.maxField) {
      throw new InputFileError(this.file, this.rowLine, `${this.fields.length + 1}`, `field is longer than ${formatBytes(this.maxField)} (the longest field accepted): it starts ${quoteSnippet(this.field, 40)}`);
    }
    if (this.rowLength + this.field.length > this.maxLine) {
      throw new InputFileError(this.file, this.rowLine, undefined, `record is longer than ${formatBytes(this.maxLine)} (the longest record accepted): a line end or closing quote is missing`);
    }
  }

  /**
   * Feeds the next piece of text and emits every row it completes. Pieces may split a row, a field or
   * a CRLF anywhere; a leading BOM is dropped. Throws an `InputFileError` on a stray quote or on text
   * after a closing quote.
   */
  push(text: string): void {
    let i = 0;
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    let start = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (this.inQuotes) {
        if (c === QUOTE) {
          this.field += text.slice(start, i);
          this.inQuotes = false;
          this.afterQuote = true;
          start = i + 1;
        } else if (c === LF) {
          this.line++;
        }
        continue;
      }
      if (c === QUOTE) {
        if (this.afterQuote) {
          // "" inside a quoted field is one literal quote
          this.field += '"';
          this.inQuotes = true;
          this.afterQuote = false;
        } else if (i === start && this.field === '') {
          this.inQuotes = true;
        } else {
          throw new InputFileError(this.file, this.line, `${this.fields.length + 1}`, 'stray quote inside an unquoted field');
        }
        this.rowHasContent = true;
        start = i + 1;
      } else if (c === COMMA) {
        this.field += text.slice(start, i);
        this.checkLimits();
        this.rowLength += this.field.length + 1;
        this.fields.push(this.field);
        this.field = '';
        this.afterQuote = false;
        this.rowHasContent = true;
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.field += text.slice(start, i);
        this.endRow();
        this.line++;
        this.rowLine = this.line;
        this.pendingCR = c === CR;
        start = i + 1;
      } else if (this.afterQuote) {
        throw new InputFileError(this.file, this.line, `${this.fields.length + 1}`, 'text after a closing quote');
      } else {
        this.rowHasContent = true;
      }
    }
    if (start < text.length) this.field += text.slice(start);
    this.checkLimits();
  }

  /**
   * Signals the end of the input and emits the last row when it has no line end. Throws an
   * `InputFileError` if a quoted field is still open.
   */
  end(): void {
    if (this.inQuotes) {
      throw new InputFileError(this.file, this.rowLine, `${this.fields.length + 1}`, 'quoted field is not closed before the end of the file');
    }
    if (this.rowHasContent || this.field !== '' || this.fields.length > 0) this.endRow();
  }

  private endRow(): void {
    this.checkLimits();
    this.fields.push(this.field);
    this.rowLength = 0;
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    this.afterQuote = false;
    this.rowHasContent = false;
    this.emit({ line: this.rowLine, fields });
  }
}
