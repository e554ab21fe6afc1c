import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../dist/pipelines/digits.js');

async function digits(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('digits CLI: data, check, argument errors (the real MNIST files)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    const result = await digits('data', '--out', dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  it('writes the four Kaggle-format files with 42,001 / 28,001 / 28,001 / 28,001 lines', async () => {
    const lines = async (name: string) => (await readFile(join(dir, name), 'utf8')).split('\n').length - 1;
    expect(await lines('train.csv')).toBe(42_001);
    expect(await lines('test.csv')).toBe(28_001);
    expect(await lines('sample_submission.csv')).toBe(28_001);
    expect(await lines('test_labels.csv')).toBe(28_001);
  });

  it('check summarises a valid train file', async () => {
    const result = await digits('check', join(dir, 'train.csv'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/42000 rows, labelled/);
    expect(result.stdout).toMatch(/OK, 42000 rows, labelled \(train format\), 28x28 grey\n/);
    const counts = result.stdout.match(/labels \(10 classes\): (.*)/)![1].split(' ').map((pair) => Number(pair.split(':')[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(42_000);
  });

  it('check exits 1 with one line naming line 3 when its pixel is 300', async () => {
    const text = await readFile(join(dir, 'train.csv'), 'utf8');
    const lines = text.split('\n', 6);
    const fields = lines[2].split(',');
    fields[200] = '300';
    lines[2] = fields.join(',');
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, `${lines.slice(0, 5).join('\n')}\n`);
    const result = await digits('check', bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`digits: ${bad}:3: column pixel199: pixel value 300 is outside 0–255\n`);
  });

  it.each([
    [['check', 'missing.csv'], /missing\.csv: no such file/],
    [['data', '--seed', 'x'], /--seed must be an integer >= 0, got 'x'/],
    [['nonsense'], /unknown command 'nonsense'/],
    [['train', '--model', 'rnn'], /argument 'rnn' is invalid\. Allowed choices are mlp, cnn/],
    [['train', '--model', 'mlp', '--epochs', '0'], /--epochs must be a positive integer, got '0'/],
    [['train', '--model', 'mlp', '--epochs', '2.5'], /--epochs must be a positive integer, got '2\.5'/],
    [['train'], /required option '--model <name>' not specified/],
    [['train', '--model', 'mlp', '--train', 'train.csv'], /--train and --test go together/],
    [['run', '--models', 'mlp,rnn'], /unknown model 'rnn'/],
    [['run', '--backend', 'gpu'], /argument 'gpu' is invalid/],
    [['eda', '--rows', '-3'], /--rows must be a positive integer/],
    [['report', '--from', 'nowhere'], /nowhere\/report-data\.json: not found/],
  ])('digits %j exits 1 with one line naming the problem, no stack trace', async (args, message) => {
    const result = await digits(...(args as string[]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.split('\n')[0]).toMatch(message);
  });

  it('every command has --help', async () => {
    for (const command of ['data', 'check', 'train', 'run', 'eda', 'report', 'worker']) {
      const result = await digits(command, '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: digits /);
    }
  });
});
