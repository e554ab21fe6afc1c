import { describe, expect, it } from 'vitest';
import { classNames } from '../../lib/data/format.ts';
import { readDataset, readJobData, readTrainValid } from '../../lib/jobs/inputs.ts';
import { silentReporter } from '../../lib/jobs/reporter.ts';
import { imageCsv, learnableRows, writeCsv } from '../helpers/imageCsv.ts';
import { tempDir } from '../helpers/files.ts';

const grey14 = { width: 14, height: 14, channels: 1 };
const split = { validFraction: 0.25, seed: 3 };
/** Sign Language MNIST's labels: 0–24 without 9 (J moves). */
const signLabels = Array.from({ length: 25 }, (_, k) => k).filter((k) => k !== 9);

describe('readTrainValid: the format found from the file', () => {
  it('sorts integer labels as numbers, keeps the gap, and maps every row to its class', async () => {
    const dir = await tempDir();
    const rows = learnableRows(96, grey14, signLabels);
    const file = await writeCsv(dir, 'sign_train.csv', imageCsv(rows, { start: 1 }));
    const { train, valid } = await readTrainValid(file, silentReporter(), split);
    expect(train.format).toMatchObject(grey14);
    expect(train.format.classes.map((c) => c.label)).toEqual(signLabels.map(String));
    expect(valid.format).toBe(train.format);
    for (const dataset of [train, valid]) {
      for (let i = 0; i < dataset.size; i++) {
        // the fixture's rows cycle through the labels, ids count from 1
        expect(train.format.classes[dataset.labels![i]].label).toBe(String(rows[dataset.ids[i] - 1].label));
      }
    }
  });

  it('sorts names as text and names classes from --classes in label order', async () => {
    const dir = await tempDir();
    const file = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(24, grey14, ['dog', 'cat', 'emu'])));
    const { train } = await readTrainValid(file, silentReporter(), split);
    expect(train.format.classes.map((c) => c.label)).toEqual(['cat', 'dog', 'emu']);
    const named = await readTrainValid(file, silentReporter(), split, { classNames: ['Cat', 'Dog', 'Emu'] });
    expect(classNames(named.train.format)).toEqual(['Cat', 'Dog', 'Emu']);
    await expect(readTrainValid(file, silentReporter(), split, { classNames: ['Cat', 'Dog'] })).rejects.toThrow(
      /classes: 2 names given, but the training labels have 3 values \(cat, dog, emu\)/,
    );
  });

  it('refuses a single class', async () => {
    const dir = await tempDir();
    const file = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(12, grey14, [4])));
    await expect(readTrainValid(file, silentReporter(), split)).rejects.toThrow(/train\.csv: every row has label 4: a classifier needs at least two classes/);
  });
});

describe('readJobData: a test file read as the training set', () => {
  it('keeps the test file ids, maps its labels to the training classes and scores with them', async () => {
    const dir = await tempDir();
    const labels = [2, 4, 8];
    const train = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(30, grey14, labels)));
    const testRows = learnableRows(6, grey14, [8, 2]).map((row, i) => ({ ...row, id: 100 - i }));
    const test = await writeCsv(dir, 'test.csv', imageCsv(testRows, { idColumn: 'id' }));
    const job = await readJobData({ train, test, seed: 1 }, silentReporter());
    expect(Array.from(job.data.test.ids)).toEqual([100, 99, 98, 97, 96, 95]);
    expect(job.data.test.labelled).toBe(false);
    expect(job.data.test.format).toBe(job.data.train.format);
    expect([...job.answers!.entries()]).toEqual(testRows.map((row) => [row.id, labels.indexOf(row.label as number)]));
    expect(job.submissionHeader).toEqual(['id', 'label']);
    const renamed = await readJobData({ train, test, seed: 1, submissionHeader: ['Id', 'Category'] }, silentReporter());
    expect(renamed.submissionHeader).toEqual(['Id', 'Category']);
  });

  it('names file, line and column for a test label the training file never has', async () => {
    const dir = await tempDir();
    const train = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(30, grey14, [0, 1, 2])));
    const test = await writeCsv(dir, 'test.csv', imageCsv(learnableRows(4, grey14, [0, 1, 7])));
    await expect(readJobData({ train, test, seed: 1 }, silentReporter())).rejects.toThrow(/test\.csv:4: column label: label '7' is not one of the 3 classes \(0, 1, 2\)/);
  });

  it("names both files when the test images are not the training images' size", async () => {
    const dir = await tempDir();
    const train = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(30, grey14, [0, 1])));
    const test = await writeCsv(dir, 'test.csv', imageCsv(learnableRows(4, { width: 16, height: 16, channels: 1 }, [0, 1]).map((r) => ({ pixels: r.pixels }))));
    await expect(readJobData({ train, test, seed: 1 }, silentReporter())).rejects.toThrow(
      /test\.csv:1: its images are 16x16 \(256 pixel values\), but .*train\.csv's are 14x14 \(196\)/,
    );
  });

  it('reads a test file of a size given for the training file', async () => {
    const dir = await tempDir();
    const size = { width: 10, height: 6, channels: 1 };
    const train = await writeCsv(dir, 'train.csv', imageCsv(learnableRows(30, size, [0, 1])));
    const test = await writeCsv(dir, 'test.csv', imageCsv(learnableRows(4, size, [0, 1]).map((r) => ({ pixels: r.pixels }))));
    const job = await readJobData({ train, test, seed: 1, size: '10x6' }, silentReporter());
    expect(job.data.test.size).toBe(4);
    expect(job.data.test.format).toMatchObject(size);
  });

  it('reads an unlabelled file on its own with no classes', async () => {
    const dir = await tempDir();
    const file = await writeCsv(dir, 'test.csv', imageCsv(learnableRows(4, grey14, [0, 1]).map((r) => ({ pixels: r.pixels }))));
    const dataset = await readDataset(file, silentReporter(), 'unlabelled');
    expect(dataset.format.classes).toEqual([]);
    expect(dataset.size).toBe(4);
  });
});
