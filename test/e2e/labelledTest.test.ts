/** Kaggle's Fashion-MNIST layout: pixel columns numbered from 1, and a test file that has labels. */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';
import { writeKaggleCsvs } from '../helpers/kaggleCsvs.ts';

const CLI = join(import.meta.dirname, '../../dist/pipelines/digits.js');
const run = promisify(execFile);

let train: string;
let test: string;
let testLabels: number[];
beforeAll(async () => {
  const dir = await tempDir();
  // one labelled set, split in two: both files labelled, as Kaggle ships Fashion-MNIST
  const files = await writeKaggleCsvs(dir, 500, 0);
  const [header, ...rows] = (await readFile(files.train, 'utf8')).trim().split('\n');
  const fashionHeader = header.replace(/pixel(\d+)/g, (_, k: string) => `pixel${Number(k) + 1}`);
  train = join(dir, 'fashion-mnist_train.csv');
  test = join(dir, 'fashion-mnist_test.csv');
  await writeFile(train, [fashionHeader, ...rows.slice(0, 400), ''].join('\n'));
  await writeFile(test, [fashionHeader, ...rows.slice(400), ''].join('\n'));
  testLabels = rows.slice(400).map((row) => Number(row.split(',')[0]));
}, 60_000);

describe('a labelled test file with pixel columns numbered from 1', () => {
  it('check reads both files', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'check', test]);
    expect(stdout).toMatch(/OK, 100 rows, labelled/);
  });

  it('run scores the test predictions against the file’s own labels, and the submission numbers rows from 1', async () => {
    const out = join(await tempDir(), 'out');
    const { stdout } = await run(process.execPath, [CLI, 'run', '--quick', '--models', 'mlp', '--epochs', '2', '--rows', '1', '--train', train, '--test', test, '--out', out]);
    expect(stdout).toMatch(/fashion-mnist_test\.csv: labelled; its labels are held out and used only to score the test predictions/);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.data.heldOutAnswers).toBe(true);
    const [mlp] = metrics.models;
    expect(mlp.test.count).toBe(100);
    const submission = (await readFile(join(out, 'submission-mlp.csv'), 'utf8')).trim().split('\n');
    expect(submission[0]).toBe('ImageId,Label');
    const predicted = submission.slice(1).map((line) => line.split(',').map(Number));
    expect(predicted.map(([id]) => id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const correct = predicted.filter(([id, label]) => testLabels[id - 1] === label).length;
    expect(mlp.test.accuracy).toBeCloseTo(correct / 100, 10);
    expect(stdout).toContain(`held-out test accuracy ${(100 * mlp.test.accuracy).toFixed(2)}%`);
  }, 120_000);
});
