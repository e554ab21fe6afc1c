import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileSystemError } from './fileErrors.ts';

/** Temporary files being written now: removed if the process exits before they are renamed. */
const unfinished = new Set<string>();

/** A temporary name beside `path`, registered so that an exit mid-write (Ctrl-C) leaves no `.tmp`. */
function tempNameFor(path: string): string {
  if (unfinished.size === 0 && !exitHooked) {
    exitHooked = true;
    process.once('exit', () => unfinished.forEach((temp) => rmSync(temp, { force: true })));
  }
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  unfinished.add(temp);
  return temp;
}
let exitHooked = false;

/**
 * The same error, its message naming the file the caller asked for rather than the temporary one,
 * with its `code` (ENOSPC, EACCES, ...) kept for callers that branch on it.
 */
function namingTarget(error: unknown, temp: string, path: string): unknown {
  if (!(error instanceof Error)) return error;
  const fsError = error as NodeJS.ErrnoException;
  // a failed write (ENOSPC) names no file at all
  const message = error.message.includes(temp) ? error.message.split(temp).join(path) : error.message.includes(path) ? error.message : `${error.message} '${path}'`;
  return fileSystemError(message, fsError.code, fsError.path === undefined || fsError.path.includes(temp) ? path : fsError.path);
}

/**
 * `mkdir -p`, by hand: Node's own recursive mkdir never returns where a parent exists but refuses new
 * children with ENOENT (`/proc`). Returns the first directory it created, if any.
 */
async function mkdirp(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (info?.isDirectory()) break;
    if (info) {
      throw fileSystemError(`ENOTDIR: not a directory, mkdir '${path}'`, 'ENOTDIR', at);
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  let first: string | undefined;
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
      first ??= dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}

/** Names a run's staging directory (see runDir.ts); only a run's start may create one. */
export const STAGING_PREFIX = '.digit-flow-staging-';

/**
 * `mkdir -p` for every writer of the library, with one exception: it never re-creates a run's staging
 * directory. A run that was dropped (Ctrl-C) has its staging directory removed while work may still
 * be in flight; that work then fails with ENOENT instead of leaving a new one behind.
 */
export async function makeDirectory(path: string): Promise<void> {
  const created = await mkdirp(path);
  if (created === undefined) return;
  // `created` is the first directory mkdir made: a staging directory there means it had been removed
  if (!basename(created).startsWith(STAGING_PREFIX)) return;
  await rm(created, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  throw fileSystemError(`ENOENT: the run writing here was dropped, '${path}'`, 'ENOENT', path);
}

/**
 * Writes a whole file under a temporary name, then renames it, so readers never see half a file.
 * The parent directory is created when missing.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(path);
  try {
    await makeDirectory(dirname(path));
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw namingTarget(error, temp, path);
  } finally {
    unfinished.delete(temp);
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
      if (failure) return Promise.reject(namingTarget(failure, temp, path));
      return new Promise((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(namingTarget(error, temp, path)) : resolve()));
      });
    },
    async commit() {
      try {
        stream.end();
        await finished(stream);
        if (failure) throw failure;
        await rename(temp, path);
        unfinished.delete(temp);
      } catch (error) {
        throw namingTarget(error, temp, path);
      }
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true });
      unfinished.delete(temp);
    },
  };
}
