import { createReadStream } from 'node:fs';
import { Observable } from 'rxjs';
import { UserError } from '../errors.ts';

/** Bytes read per chunk: large enough that per-chunk overhead vanishes, small enough to stay cache-friendly. */
export const CHUNK_BYTES = 1 << 20;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
};

/** Turns a file-system error into a one-line user error naming the file. */
export function fileError(path: string, error: NodeJS.ErrnoException): Error {
  const reason = error.code ? REASONS[error.code] : undefined;
  return reason ? new UserError(`${path}: ${reason}`) : error;
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
