/**
 * Kaggle layouts other than the Digit Recognizer's: Fashion-MNIST (pixel columns numbered from 1, a
 * labelled test file) and Kannada-MNIST (a test file with its own `id` column, submissions `id,label`).
 */
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
let kannadaTest: string;
let kannadaIds: number[];
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
  // Kannada-MNIST's test file: an id column (from 0 there; here in no particular order), no labels
  kannadaTest = join(dir, 'kannada_test.csv');
  kannadaIds = rows.slice(400).map((_, i) => (i * 37) % 100);
  const unlabelled = rows.slice(400).map((row, i) => `${kannadaIds[i]},${row.slice(row.indexOf(',') + 1)}`);
  await writeFile(kannadaTest, [header.replace(/^label,/, 'id,'), ...unlabelled, ''].join('\n'));
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

describe('a test file with its own id column', () => {
  it('train echoes the ids and the column in the submission: id,label', async () => {
    const out = join(await tempDir(), 'out');
    const { stdout } = await run(process.execPath, [CLI, 'train', '--model', 'mlp', '--epochs', '1', '--train', train, '--test', kannadaTest, '--out', out]);
    expect(stdout).toMatch(/mlp: validation accuracy/);
    const submission = (await readFile(join(out, 'submission-mlp.csv'), 'utf8')).trim().split('\n');
    expect(submission[0]).toBe('id,label');
    expect(submission.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(kannadaIds);
  }, 120_000);

  it('a repeated id is refused with one line naming the file, line and column', async () => {
    const dir = await tempDir();
    const lines = (await readFile(kannadaTest, 'utf8')).split('\n');
    lines[3] = lines[2];
    const file = join(dir, 'repeated.csv');
    await writeFile(file, lines.join('\n'));
    const error = await run(process.execPath, [CLI, 'check', file]).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(1);
    expect((error as { stderr: string }).stderr).toMatch(/repeated\.csv:4: column id: duplicate id \d+ \(first on line 3\)\n$/);
  });
});

describe('headerless files (EMNIST’s CSVs)', () => {
  it('check and train read them with --no-header; the submission numbers the test lines from 1', async () => {
    const dir = await tempDir();
    const strip = async (from: string, to: string, dropLabel: boolean): Promise<void> => {
      const lines = (await readFile(from, 'utf8')).trim().split('\n').slice(1);
      await writeFile(to, `${lines.map((l) => (dropLabel ? l.slice(l.indexOf(',') + 1) : l)).join('\n')}\n`);
    };
    const emnistTrain = join(dir, 'emnist-train.csv');
    const emnistTest = join(dir, 'emnist-test.csv');
    await strip(train, emnistTrain, false);
    await strip(test, emnistTest, true);
    const check = await run(process.execPath, [CLI, 'check', '--no-header', emnistTrain]);
    expect(check.stdout).toMatch(/OK, 400 rows, labelled/);
    const refused = await run(process.execPath, [CLI, 'check', emnistTrain]).catch((e: { stderr: string }) => e);
    expect((refused as { stderr: string }).stderr).toMatch(/emnist-train\.csv:1: .*header/);
    const out = join(dir, 'out');
    await run(process.execPath, [CLI, 'train', '--no-header', '--model', 'mlp', '--epochs', '1', '--quiet', '--train', emnistTrain, '--test', emnistTest, '--out', out]);
    const submission = (await readFile(join(out, 'submission-mlp.csv'), 'utf8')).trim().split('\n');
    expect(submission[0]).toBe('ImageId,Label');
    expect(submission).toHaveLength(101);
  }, 120_000);
});

describe('labels the models cannot learn or predict', () => {
  it('a training file with a single class, or a test label the training file never has: one line each', async () => {
    const dir = await tempDir();
    const lines = (await readFile(train, 'utf8')).trim().split('\n');
    const oneClass = join(dir, 'one-class.csv');
    await writeFile(oneClass, [lines[0], ...lines.slice(1).map((l) => `4${l.slice(l.indexOf(','))}`), ''].join('\n'));
    const single = await run(process.execPath, [CLI, 'train', '--model', 'mlp', '--train', oneClass, '--test', test, '--out', join(dir, 'a')]).catch((e: { code: number; stderr: string }) => e);
    expect((single as { stderr: string }).stderr).toMatch(/one-class\.csv: every row has label 4: a classifier needs at least two classes\n$/);
    // train without any 7s, then a labelled test file that has them
    const no7 = join(dir, 'no-sevens.csv');
    await writeFile(no7, [lines[0], ...lines.slice(1).filter((l) => !l.startsWith('7,')), ''].join('\n'));
    const unseen = await run(process.execPath, [CLI, 'train', '--model', 'mlp', '--train', no7, '--test', test, '--out', join(dir, 'b')]).catch((e: { code: number; stderr: string }) => e);
    expect((unseen as { code: number }).code).toBe(1);
    expect((unseen as { stderr: string }).stderr).toMatch(/fashion-mnist_test\.csv: the row with id \d+ has label 7, which .*no-sevens\.csv never has: the models cannot predict it\n$/);
  }, 60_000);
});
