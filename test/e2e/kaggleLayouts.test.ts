/**
 * Kaggle layouts other than the Digit Recognizer's: Fashion-MNIST (pixel columns numbered from 1, a
 * labelled test file, class names), Kannada-MNIST (a test file with its own `id` column, submissions
 * `id,label`), EMNIST (no header), and images of other sizes, colours and label sets.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';
import { writeKaggleCsvs } from '../helpers/kaggleCsvs.ts';
import { imageCsv, learnableRows, planarRows, writeCsv } from '../helpers/imageCsv.ts';

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
    expect((unseen as { stderr: string }).stderr).toMatch(/^digits: .*fashion-mnist_test\.csv:\d+: column label: label '7' is not one of the 9 classes \(0, 1, 2, 3, 4, 5, 6, 8, 9\)\n$/);
  }, 60_000);
});

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

describe('Fashion-MNIST with its class names', () => {
  it('run trains both models, scores the labelled test, writes labels as the file does and names the classes in the report', async () => {
    const out = join(await tempDir(), 'out');
    const { stdout } = await run(process.execPath, [CLI, 'run', '--quick', '--epochs', '1', '--rows', '1', '--train', train, '--test', test, '--classes', FASHION.join(','), '--out', out]);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.models.map((m: { model: string }) => m.model)).toEqual(['mlp', 'cnn']);
    for (const model of metrics.models) expect(model.test.count).toBe(100);
    for (const name of ['mlp', 'cnn']) {
      const lines = (await readFile(join(out, `submission-${name}.csv`), 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('ImageId,Label');
      expect(lines.slice(1).every((line, i) => new RegExp(`^${i + 1},[0-9]$`).test(line))).toBe(true);
    }
    const report = await readFile(join(out, 'report.html'), 'utf8');
    for (const name of FASHION) expect(report).toContain(name);
    expect(stdout).toMatch(/10 classes/);
  }, 240_000);
});

describe('14x14 images, labels 0–24 with gaps, a test file with its own ids', () => {
  const labels = [0, 2, 5, 11, 24];
  const size = { width: 14, height: 14, channels: 1 };

  it('run trains both models and writes id,label submissions with the file’s ids and labels', async () => {
    const dir = await tempDir();
    const trainFile = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(300, size, labels, 1), { start: 1 }));
    const ids = Array.from({ length: 40 }, (_, i) => 500 - i * 7);
    const testRows = learnableRows(40, size, labels, 2).map((row, i) => ({ id: ids[i], pixels: row.pixels }));
    const testFile = await writeCsv(dir, 'test.csv', imageCsv(testRows, { start: 1, idColumn: 'id' }));
    const out = join(dir, 'out');
    await run(process.execPath, [CLI, 'run', '--quiet', '--epochs', '3', '--rows', '1', '--train', trainFile, '--test', testFile, '--out', out]);
    for (const name of ['mlp', 'cnn']) {
      const lines = (await readFile(join(out, `submission-${name}.csv`), 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('id,label');
      const rows = lines.slice(1).map((line) => line.split(',').map(Number));
      expect(rows.map(([id]) => id)).toEqual(ids);
      expect(rows.every(([, label]) => labels.includes(label))).toBe(true);
      // the classes can be told apart: most test rows get the label their rows cycle through
      const right = rows.filter(([, label], i) => label === labels[i % labels.length]).length;
      expect(right).toBeGreaterThan(30);
    }
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.models.find((m: { model: string }) => m.model === 'cnn').parameters).toBeGreaterThan(0);
    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).not.toMatch(/handwritten digits/i);
  }, 240_000);

  it('a small RGB set with names for labels, planar rows and a size given: train writes the names back', async () => {
    const dir = await tempDir();
    const rgb = { width: 6, height: 5, channels: 3 };
    const names = ['cat', 'dog', 'emu, large'];
    const planar = (rows: ReturnType<typeof learnableRows>) => planarRows(rows, rgb);
    const trainFile = await writeCsv(dir, 'train.csv', imageCsv(planar(learnableRows(150, rgb, names, 3))));
    const testFile = await writeCsv(dir, 'test.csv', imageCsv(planar(learnableRows(12, rgb, names, 4)).map((row) => ({ pixels: row.pixels }))));
    const out = join(dir, 'out');
    const args = ['train', '--model', 'cnn', '--quiet', '--epochs', '4', '--size', '6x5x3', '--channel-order', 'planar', '--train', trainFile, '--test', testFile, '--out', out];
    await run(process.execPath, [CLI, ...args]);
    const lines = (await readFile(join(out, 'submission-cnn.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('ImageId,Label');
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).every((line) => /^\d+,(cat|dog|"emu, large")$/.test(line))).toBe(true);
  }, 120_000);

  it('refuses, in one line each: a width that says no size, a test file of another size, mixed pixel column names', async () => {
    const dir = await tempDir();
    const odd = await writeCsv(dir, 'odd.csv', imageCsv(learnableRows(20, { width: 10, height: 6, channels: 1 }, [0, 1])));
    const square = await writeCsv(dir, 'square.csv', imageCsv(learnableRows(20, size, [0, 1])));
    const bigger = await writeCsv(dir, 'bigger.csv', imageCsv(learnableRows(5, { width: 16, height: 16, channels: 1 }, [0, 1]).map((r) => ({ pixels: r.pixels }))));
    const mixed = await writeCsv(dir, 'mixed.csv', imageCsv(learnableRows(5, size, [0, 1])).replace(',pixel9,', ',px9,'));
    const fail = (args: string[]) => run(process.execPath, [CLI, ...args]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    const cases: [string[], RegExp][] = [
      [['check', odd], /odd\.csv:1: header: 60 pixel columns are neither a square image .*; give the size \(--size WxH or WxHx3\)\n$/],
      [['train', '--model', 'mlp', '--train', square, '--test', bigger, '--out', join(dir, 'o1')], /bigger\.csv:1: its images are 16x16 \(256 pixel values\), but .*square\.csv's are 14x14 \(196\)/],
      [['check', mixed], /mixed\.csv:1: column 11: header: expected 'pixel9', found 'px9'/],
    ];
    for (const [args, message] of cases) {
      const result = await fail(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const sized = await run(process.execPath, [CLI, 'check', '--size', '10x6', odd]);
    expect(sized.stdout).toMatch(/OK, 20 rows, labelled \(train format\), 10x6 grey\nlabels \(2 classes\): 0:10 1:10/);
  }, 120_000);
});
