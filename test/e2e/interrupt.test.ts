import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';

const root = join(import.meta.dirname, '../..');
const CLI = join(root, 'dist/pipelines/digits.js');

describe('Ctrl-C during training', () => {
  it('stops between batches, exits 130 with one line saying what was kept, and leaves no partial file', async () => {
    const out = join(await tempDir(), 'out');
    // mlp first: its submission is written before the cnn starts, so something complete is kept
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
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^digits: interrupted: stopped between batches; kept in .*out\/: .*submission-mlp\.csv/);
    const kept = await readdir(out);
    expect(kept).toContain('submission-mlp.csv');
    expect(kept).not.toContain('submission-cnn.csv');
    expect(kept).not.toContain('report.html');
    expect(kept.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 300_000);
});
