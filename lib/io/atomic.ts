import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

function tempNameFor(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** Writes a whole file under a temporary name, then renames it, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
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
