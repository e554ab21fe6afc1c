import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

function tempNameFor(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * The same error, its message naming the file the caller asked for rather than the temporary one,
 * with its `code` (ENOSPC, EACCES, ...) kept for callers that branch on it.
 */
function namingTarget(error: unknown, temp: string, path: string): unknown {
  if (!(error instanceof Error) || !error.message.includes(temp)) return error;
  const renamed = new Error(error.message.split(temp).join(path)) as NodeJS.ErrnoException;
  Object.assign(renamed, { code: (error as NodeJS.ErrnoException).code, path });
  return renamed;
}

/**
 * Writes a whole file under a temporary name, then renames it, so readers never see half a file.
 * The parent directory is created when missing.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw namingTarget(error, temp, path);
  }
}

/** A file being written under a temporary name; `commit()` renames it into place, `abort()` deletes it. */
export interface AtomicFile {
  readonly path: string;
  write(chunk: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens a streaming atomic writer (for files too large to build as one string). */
export function openAtomicFile(path: string): AtomicFile {
  const temp = tempNameFor(path);
  const stream: WriteStream = createWriteStream(temp);
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  return {
    path,
    write(chunk) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    async commit() {
      stream.end();
      await finished(stream);
      if (failure) throw failure;
      await rename(temp, path);
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
}
