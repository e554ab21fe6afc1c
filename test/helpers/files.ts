import { mkdtemp, readlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for one test's files. */
export function tempDir(prefix = 'digit-flow-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** How many of this process's file descriptors point at `path` (Linux /proc). */
export async function openHandlesTo(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  let count = 0;
  for (const fd of fds) {
    try {
      if ((await readlink(`/proc/self/fd/${fd}`)) === path) count++;
    } catch {
      // the descriptor closed while we looked
    }
  }
  return count;
}

/**
 * A named pipe that stays open for writing until `close()`: a reader of it never sees the end of
 * the file, so only an unsubscribe can make it let go of its handle.
 */
export async function openEndlessFile(dir: string, firstText: string): Promise<{ path: string; close(): Promise<void> }> {
  const { execFileSync } = await import('node:child_process');
  const { open } = await import('node:fs/promises');
  const path = join(dir, 'endless.csv');
  execFileSync('mkfifo', [path]);
  // opening the write end waits for a reader, so the caller subscribes before awaiting `ready`
  const writer = open(path, 'w').then(async (handle) => {
    await handle.write(firstText);
    return handle;
  });
  return {
    path,
    close: async () => (await writer).close(),
  };
}
