import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../dist/pipelines/digits.js');
const RECORD_IMPORTS = join(import.meta.dirname, '../helpers/recordImports.mjs');

/** Runs the CLI and returns its exit code and the npm packages it imported (`@scope/name` or `name`), sorted. */
async function packagesImportedBy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; packages: string[] }> {
  const log = join(await tempDir(), 'imports.log');
  const env = { ...process.env, DIGIT_FLOW_IMPORTS_LOG: log };
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', RECORD_IMPORTS, CLI, ...args], { env });
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const urls = (await readFile(log, 'utf8')).split('\n');
  const packages = new Set(urls.flatMap((url) => [...url.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].slice(-1).map((m) => m[1])));
  return { ...result, packages: [...packages].sort() };
}

describe('digits CLI: what each invocation loads', () => {
  // tfjs, vega, arquero, ajv and bullmq take a second and a half to load: help and usage errors need none of them
  it.each([
    [['--help'], 0],
    [['train', '--help'], 0],
    [['run', '--help'], 0],
    [['worker', '--help'], 0],
    [['train', '--epochs', '0'], 1],
    [['train', '--model', 'mlp', '--bogus'], 1],
    [['run', '--backend', 'gpu'], 1],
    [['run', '--size', '28x28x2'], 1],
    [['nonsense'], 1],
  ])('digits %j loads commander alone (exit %i)', async (args, code) => {
    const result = await packagesImportedBy(...(args as string[]));
    expect(result.code).toBe(code);
    expect(result.code === 0 ? result.stdout : result.stderr).toMatch(/^(Usage: digits |error: )/);
    expect(result.packages).toEqual(['commander']);
  });

  // the commands that read CSVs or a manifest never need a backend or a chart
  it.each([
    [['check', 'missing.csv'], /^digits: missing\.csv: no such file/],
    [['verify', 'nowhere'], /^digits: nowhere\/run\.json: not found/],
  ])('digits %j runs without tfjs or vega', async (args, message) => {
    const result = await packagesImportedBy(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.packages).toContain('rxjs');
    expect(result.packages).not.toContain('@tensorflow/tfjs');
    expect(result.packages).not.toContain('vega');
  });

  // the recording sees what a command loads: tfjs once training starts, vega for a report
  it('digits train loads tfjs when its action runs', async () => {
    const result = await packagesImportedBy('train', '--model', 'mlp', '--train', 'train.csv');
    expect(result.stderr).toMatch(/^digits: --train and --test go together/);
    expect(result.packages).toContain('@tensorflow/tfjs');
  });

  it('digits report loads vega when its action runs', async () => {
    const result = await packagesImportedBy('report', '--from', join(await tempDir(), 'nowhere'));
    expect(result.stderr).toMatch(/report-data\.json: not found/);
    expect(result.packages).toContain('vega');
  });
});
