import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom, defer, throwError } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.ts';
import { writeFileAtomic } from '../../lib/io/atomic.ts';
import { readRunManifest, RunDir, verifyRun, withRunDir, type RunManifest } from '../../lib/io/runDir.ts';
import { tempDir } from '../helpers/files.ts';

/** A run that writes `files` (name -> contents; a name with '/' makes a directory). */
async function runWriting(dir: string, files: Record<string, string>, options: { keep?: (name: string) => boolean } = {}): Promise<RunManifest> {
  let manifest: RunManifest | undefined;
  await lastValueFrom(
    withRunDir(dir, { command: 'test', keep: options.keep, onCommit: (m) => (manifest = m) }, (run) =>
      defer(async () => {
        for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(run.staging, name), text);
      }),
    ),
    { defaultValue: undefined },
  );
  return manifest!;
}

/** What a dir holds, file by file (names sorted, directories walked). */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
  }
  return out;
}

describe('an out dir as a transaction', () => {
  it('replaces the previous set as a whole: new files in, the previous run’s other outputs out, foreign files untouched', async () => {
    const dir = await tempDir();
    const first = await runWriting(dir, { 'submission-mlp.csv': 'old mlp', 'submission-cnn.csv': 'old cnn', 'model-mlp/model.json': '{}' });
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const second = await runWriting(dir, { 'submission-mlp.csv': 'new mlp', 'model-mlp/weights.bin': 'w' });
    expect(second.runId).not.toBe(first.runId);
    const held = await contents(dir);
    delete held['run.json'];
    expect(held).toEqual({ 'submission-mlp.csv': 'new mlp', 'model-mlp/weights.bin': 'w', 'notes.txt': 'mine' });
    expect((await readRunManifest(dir))!.files.map((f) => f.path)).toEqual(['model-mlp/weights.bin', 'submission-mlp.csv']);
    expect((await verifyRun(dir)).problems).toEqual([]);
  });

  it('keeps what `keep` names from the previous set, each file still credited to the run that wrote it', async () => {
    const dir = await tempDir();
    const first = await runWriting(dir, { 'submission-cnn.csv': 'cnn', 'submission-mlp.csv': 'old', 'report.html': 'both' });
    const second = await runWriting(dir, { 'submission-mlp.csv': 'new' }, { keep: (name) => name !== 'report.html' });
    const files = Object.fromEntries((await readRunManifest(dir))!.files.map((f) => [f.path, f.run]));
    expect(files).toEqual({ 'submission-cnn.csv': first.runId, 'submission-mlp.csv': second.runId });
    expect(await readdir(dir)).not.toContain('report.html');
    expect((await verifyRun(dir)).problems).toEqual([]);
  });

  it('leaves the previous set untouched when the run fails, and says the live name, not the staged one', async () => {
    const dir = await tempDir();
    await runWriting(dir, { 'submission-mlp.csv': 'old' });
    const before = await contents(dir);
    const failing = withRunDir(dir, { command: 'test' }, (run) =>
      defer(async () => {
        await writeFileAtomic(join(run.staging, 'submission-mlp.csv'), 'new');
        await mkdir(join(run.staging, 'model-mlp'));
        await writeFile(join(run.staging, 'model-mlp'), 'x'); // EISDIR on a staged path
      }),
    );
    const error = (await lastValueFrom(failing).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('EISDIR');
    expect(error.message).toContain(join(dir, 'model-mlp'));
    expect(error.message).not.toContain('.digit-flow-staging');
    expect(await contents(dir)).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.startsWith('.digit-flow'))).toEqual([]);
  });

  it('drops the staged files on unsubscribe (Ctrl-C), the previous set intact', async () => {
    const dir = await tempDir();
    await runWriting(dir, { 'submission-mlp.csv': 'old' });
    const before = await contents(dir);
    let staged = '';
    const subscription = withRunDir(dir, { command: 'test' }, (run) =>
      defer(async () => {
        staged = run.staging;
        await writeFileAtomic(join(run.staging, 'submission-mlp.csv'), 'new');
        await new Promise(() => {}); // still working when interrupted
      }),
    ).subscribe();
    await expect.poll(async () => (await readdir(staged || dir).catch((): string[] => [])).includes('submission-mlp.csv')).toBe(true);
    subscription.unsubscribe();
    await expect.poll(async () => (await readdir(dir)).filter((n) => n.startsWith('.digit-flow'))).toEqual([]);
    expect(await contents(dir)).toEqual(before);
  });

  it('checks the out dir and every planned name before any work', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), '');
    await expect(RunDir.open(join(dir, 'a-file'), { command: 't' })).rejects.toThrow(/output directory .*a-file exists and is not a directory/);
    await expect(RunDir.open(join(dir, 'a-file', 'below'), { command: 't' })).rejects.toThrow(UserError);
    await writeFile(join(dir, 'model-mlp'), 'a file where a model folder goes');
    let worked = false;
    const run$ = withRunDir(dir, { command: 't', writes: [{ name: 'model-mlp', kind: 'directory' }] }, () => defer(async () => (worked = true)));
    await expect(lastValueFrom(run$)).rejects.toThrow(`${join(dir, 'model-mlp')} exists and is not a directory`);
    expect(worked).toBe(false);
    await mkdir(join(dir, 'report.html'));
    await expect(RunDir.open(dir, { command: 't', writes: [{ name: 'report.html', kind: 'file' }] })).rejects.toThrow(/report\.html is a directory/);
  });

  it('refuses a dir another live process is writing to', async () => {
    const dir = await tempDir();
    // pid 1 is always alive
    await mkdir(join(dir, '.digit-flow-staging-1-20260101T000000Z-abcdef'));
    await expect(RunDir.open(dir, { command: 't' })).rejects.toThrow(/being written by another process \(pid 1\)/);
  });

  it('removes an unfinished run a killed process left, and finishes a commit it had decided', async () => {
    const dir = await tempDir();
    const notices: string[] = [];
    const first = await runWriting(dir, { 'submission-mlp.csv': 'old', 'submission-cnn.csv': 'old cnn' });
    // a killed run that never got to its commit
    const dead = 999_999_999;
    await mkdir(join(dir, `.digit-flow-staging-${dead}-x`));
    await writeFile(join(dir, `.digit-flow-staging-${dead}-x`, 'submission-mlp.csv'), 'half');
    await RunDir.open(dir, { command: 't', onNotice: (m) => notices.push(m) }).then((run) => run.abort());
    expect(notices).toEqual([expect.stringMatching(/removed the unfinished files of a stopped run/)]);
    expect((await readRunManifest(dir))!.runId).toBe(first.runId);
    expect((await verifyRun(dir)).problems).toEqual([]);

    // a run killed in the middle of its commit: decided, one entry already moved in
    const run = await RunDir.open(dir, { command: 'killed' });
    await writeFileAtomic(run.path('submission-mlp.csv'), 'new');
    await writeFileAtomic(run.path('report.html'), 'new report');
    const manifest = await run.commit();
    const live = await contents(dir);
    // rebuild the state the kill left: the old set back in place, the new one staged with its decision
    const staging = join(dir, `.digit-flow-staging-${dead}-${manifest.runId}`);
    await mkdir(staging);
    await rename(join(dir, 'report.html'), join(staging, 'report.html'));
    await writeFile(join(staging, 'run.json'), JSON.stringify(manifest));
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...manifest, runId: first.runId, files: [] }));
    notices.length = 0;
    await RunDir.open(dir, { command: 't', onNotice: (m) => notices.push(m) }).then((r) => r.abort());
    expect(notices).toEqual([expect.stringMatching(new RegExp(`finished committing run ${manifest.runId}`))]);
    const recovered = await contents(dir);
    expect(JSON.parse(recovered['run.json'])).toEqual(manifest);
    delete recovered['run.json'];
    delete live['run.json'];
    expect(recovered).toEqual(live);
    expect((await verifyRun(dir)).problems).toEqual([]);
  });

  it('verify names every file that no longer matches the manifest', async () => {
    const dir = await tempDir();
    await runWriting(dir, { 'submission-mlp.csv': 'abc', 'metrics.json': '{}', 'charts/a.svg': '<svg/>' });
    await writeFile(join(dir, 'submission-mlp.csv'), 'abd');
    await writeFile(join(dir, 'metrics.json'), '{ }');
    await rename(join(dir, 'charts', 'a.svg'), join(dir, 'charts', 'b.svg'));
    const { problems } = await verifyRun(dir);
    expect(problems).toEqual([
      `${join(dir, 'charts/a.svg')}: missing`,
      `${join(dir, 'metrics.json')}: 3 bytes, the manifest says 2`,
      `${join(dir, 'submission-mlp.csv')}: contents differ from the manifest (SHA-256)`,
    ]);
    await expect(verifyRun(await tempDir())).rejects.toThrow(/holds no finished run/);
  });
});

/** A tiny tmpfs, when this process may mount one (root on Linux): a real full disk. */
function mountTinyDisk(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a full disk', async () => {
  const disk = await tempDir();
  const mounted = mountTinyDisk(disk, '256k');
  if (!mounted) process.stderr.write('full-disk tests skipped: cannot mount a tmpfs here (they need root on Linux)\n');
  afterAll(() => {
    if (mounted) execFileSync('umount', [disk]);
  });

  it.skipIf(!mounted)('fails with ENOSPC naming the live file, and keeps the previous set whole', async () => {
    const dir = join(disk, 'out');
    await runWriting(dir, { 'submission-mlp.csv': 'old', 'metrics-mlp.json': '{"old":true}' });
    const before = await contents(dir);
    const big = 'x'.repeat(400_000);
    const error = (await runWriting(dir, { 'submission-mlp.csv': 'new', 'metrics-mlp.json': big }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('ENOSPC');
    expect(error.message).toContain(join(dir, 'metrics-mlp.json'));
    expect(error.message).not.toMatch(/staging|\.tmp/);
    expect(await contents(dir)).toEqual(before);
    expect((await verifyRun(dir)).problems).toEqual([]);
    // and the space the failed run took is given back
    await runWriting(dir, { 'submission-mlp.csv': 'newer' });
    expect((await verifyRun(dir)).problems).toEqual([]);
  });
});
