import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory, writeFileAtomic } from '../../lib/io/atomic.ts';
import { tempDir } from '../helpers/files.ts';

describe('writeFileAtomic', () => {
  it('creates a missing parent directory', async () => {
    const dir = await tempDir();
    const path = join(dir, 'out', 'deeper', 'file.csv');
    await writeFileAtomic(path, 'a,b\n');
    expect(await readFile(path, 'utf8')).toBe('a,b\n');
  });

  it('names the file asked for, not its temporary name, keeps the error code, and leaves no temporary file', async () => {
    const dir = await tempDir();
    const target = join(dir, 'taken');
    await mkdir(target);
    const error = await writeFileAtomic(target, 'x').catch((e: NodeJS.ErrnoException) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(target);
    expect((error as Error).message).not.toMatch(/\.tmp/);
    expect((error as NodeJS.ErrnoException).code).toMatch(/^E[A-Z]+$/);
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('makeDirectory', () => {
  it('creates missing parents, but never re-creates a dropped run’s staging directory', async () => {
    const dir = await tempDir();
    await makeDirectory(join(dir, 'a', 'b'));
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
    const staging = join(dir, '.digit-flow-staging-1-x');
    await mkdir(staging);
    await makeDirectory(join(staging, 'charts'));
    await rm(staging, { recursive: true });
    // work still in flight after the run was dropped
    await expect(makeDirectory(join(staging, 'model-mlp'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writeFileAtomic(join(staging, 'charts', 'a.svg'), '<svg/>')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['a']);
  });
});

describe('makeDirectory where a directory cannot be made', () => {
  it('fails at once under a file (ENOTDIR) and where the file system refuses children (/proc), never hangs', async () => {
    const dir = await tempDir();
    await writeFileAtomic(join(dir, 'a-file'), 'x');
    await expect(makeDirectory(join(dir, 'a-file', 'below'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    // Node's own recursive mkdir never returns here
    if (process.platform === 'linux') await expect(makeDirectory('/proc/digit-flow-test/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('a process that exits in the middle of a write', () => {
  it('leaves no temporary file behind', async () => {
    const dir = await tempDir();
    const script = join(dir, 'exit-mid-write.mts');
    const atomic = join(import.meta.dirname, '../../lib/io/atomic.ts');
    await writeFile(
      script,
      `import { openAtomicFile } from ${JSON.stringify(atomic)};
const file = openAtomicFile(${JSON.stringify(join(dir, 'big.csv'))});
await file.write('a,b\\n');
process.exit(130); // as digits does on Ctrl-C
`,
    );
    const { execFile } = await import('node:child_process');
    const code = await new Promise<number | null>((resolve) => execFile(process.execPath, ['--import', 'tsx', script], (error) => resolve(error ? (error as { code: number }).code : 0)));
    expect(code).toBe(130);
    expect((await readdir(dir)).sort()).toEqual(['exit-mid-write.mts']);
  });
});
