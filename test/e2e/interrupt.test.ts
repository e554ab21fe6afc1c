import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';

const root = join(import.meta.dirname, '../..');
const CLI = join(root, 'dist/pipelines/digits.js');

describe('Ctrl-C during training', () => {
  it('stops promptly, exits 130 with one line saying what the out dir holds, and keeps nothing of the run', async () => {
    const out = join(await tempDir(), 'out');
    // interrupted while the second model trains: the first model's files are staged, not kept
    const child = spawn(process.execPath, [CLI, 'run', '--quick', '--out', out], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (/cnn epoch 1\/\d+: \d+\/\d+ batches/.test(stdout)) resolve();
      });
    });
    const signalled = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    // a second or two, not the rest of the epoch (machines here are shared: generous bound)
    expect(performance.now() - signalled).toBeLessThan(5_000);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^digits: interrupted: nothing of this run was kept; .*out holds no finished run$/);
    expect(await readdir(out)).toEqual([]);
  }, 300_000);
});
