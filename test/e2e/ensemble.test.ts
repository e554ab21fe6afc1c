import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { score } from '../../lib/io/submission.ts';
import { kaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { tempDir } from '../helpers/files.ts';

// Not in the wasm project: the members train on worker processes, and the backend path is covered
// by the run tests and trainEnsemble's own tests on both backends.
const root = join(import.meta.dirname, '../..');
const CLI = join(root, 'dist/pipelines/digits.js');

describe('digits run --quick --ensemble 2 --tta', () => {
  it('trains two members, writes one submission of their average, and records the recipe', async () => {
    const out = join(await tempDir(), 'out');
    const args = [CLI, 'run', '--quick', '--models', 'mlp', '--ensemble', '2', '--tta', '--out', out];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, maxBuffer: 64 << 20 });
    expect((await readdir(out)).filter((name) => name.startsWith('submission-'))).toEqual(['submission-mlp.csv']);
    expect((await readdir(join(out, 'model-mlp'))).sort()).toEqual(['metrics-mlp-1.json', 'metrics-mlp-2.json', 'model-mlp-1', 'model-mlp-2']);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.recipe).toBe('fast');
    const [mlp] = metrics.models;
    expect(mlp.recipe).toMatchObject({ epochs: 2, members: 2, tta: true });
    expect(mlp.ensemble.members.map((m: { seed: number }) => m.seed)).toEqual([20742, 21742]);
    const scored = await score(join(out, 'submission-mlp.csv'), kaggleFiles(join(root, 'data')).testLabels);
    expect(scored.accuracy).toBe(mlp.test.accuracy);
    expect(stdout).toContain('mlp: ensemble member 2 of 2 (seed 21742)');
    // the summary counts the members and the parameters of all of them
    expect(stdout).toContain(`2 members, ${mlp.parameters.toLocaleString('en-US')} parameters in all, 2 epochs each: `);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-chart="ensemble-members"');
  }, 300_000);

  it('refuses an unknown recipe and an ensemble of none, in one line each', async () => {
    for (const [flag, value, message] of [
      ['--recipe', 'fastest', /--recipe <name>' argument 'fastest' is invalid. Allowed choices are fast, best/],
      ['--ensemble', '0', /--ensemble must be a positive integer, got '0'/],
    ] as const) {
      const failure = await promisify(execFile)(process.execPath, [CLI, 'run', flag, value, '--out', join(await tempDir(), 'out')], { cwd: root }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr.trim().split('\n')[0]).toMatch(message);
    }
  }, 60_000);
});
