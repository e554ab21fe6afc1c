import { createReadStream } from 'node:fs';
import { Observable } from 'rxjs';
import { UserError } from '../errors.ts';
import { describeFileError, isFileSystemError } from './fileErrors.ts';

/** Bytes read per chunk: large enough that per-chunk overhead vanishes, small enough to stay cache-friendly. */
export const CHUNK_BYTES = 1 << 20;

/** Default longest line: far above any image row, far below what would strain memory. */
export const MAX_LINE_BYTES = 4 << 20;

/** Checks the options every reader shares, with errors that name the function and the option. */
export function checkReadOptions(fn: string, options: { chunkBytes?: number; maxLineBytes?: number }): void {
  for (const name of ['chunkBytes', 'maxLineBytes'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new UserError(`${fn}: ${name} must be an integer >= 1, got ${String(value)}`);
    }
  }
}


/** Turns a file-system error into a one-line user error naming the file. */
export function fileError(path: string, error: NodeJS.ErrnoException): Error {
  if (!isFileSystemError(error)) return error;
  return new UserError(`${path}: ${error.code === 'EISDIR' ? 'is a directory, not a file' : describeFileError(error)}`);
}

/**
 * A file as an Observable of byte chunks, never the whole file at once. Unsubscribing closes the
 * file handle; so do completion and errors.
 */
export function readChunks(path: string, chunkBytes: number = CHUNK_BYTES): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const stream = createReadStream(path, { highWaterMark: chunkBytes });
    stream.on('data', (chunk) => subscriber.next(chunk as Buffer));
    stream.on('end', () => subscriber.complete());
    stream.on('error', (error) => subscriber.error(fileError(path, error)));
    return () => {
      stream.destroy();
    };
  });
}
