import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { lastValueFrom } from 'rxjs';
import { selectBackend, type BackendChoice, type BackendInfo } from '../backend/selectBackend.ts';
import { DigitDataset } from '../data/dataset.ts';
import { UserError } from '../errors.ts';
import { readDigits, type DigitFileHeader, type ReadDigitsOptions } from '../io/digits.ts';
import { kaggleFiles, writeKaggleDefault, type KaggleFiles } from '../io/kaggleDefault.ts';
import { readLabels, submissionHeaderFor } from '../io/submission.ts';
import { splitTrainValid } from '../operators/splitTrainValid.ts';
import { toDataset } from '../operators/toDataset.ts';
import { silentReporter, type Reporter } from './reporter.ts';
import type { TrainingData } from './trainModel.ts';

/** Where the embedded default lives when the user gives no files. */
export const DEFAULT_DATA_DIR = 'data';

/** Share of train.csv held out for validation in the CLI jobs (more rows to train on than the notebook's 0.2). */
export const JOB_VALID_FRACTION = 0.1;

/** The files one job reads. */
export interface InputFiles {
  train: string;
  test: string;
  /** Held-out answers: only for the embedded default, only for final scoring. */
  answers?: string;
}

/**
 * The user's `--train` / `--test` files, or the embedded default in data/, written on first use.
 * The two flags go together: a model trained on one data set and scored on another's test file
 * would be meaningless.
 */
export async function resolveInputs(options: { train?: string; test?: string }, reporter: Reporter): Promise<InputFiles> {
  if (options.train !== undefined || options.test !== undefined) {
    if (options.train === undefined || options.test === undefined) {
      throw new UserError('--train and --test go together: give both Kaggle files, or neither for the embedded default');
    }
    return { train: options.train, test: options.test };
  }
  const files = await ensureDefaultData(reporter);
  return { train: files.train, test: files.test, answers: files.testLabels };
}

/** The user's train.csv, or the embedded default's. */
export async function resolveTrainFile(train: string | undefined, reporter: Reporter): Promise<string> {
  return train ?? (await ensureDefaultData(reporter)).train;
}

/** The embedded default's files in data/, written on first use. */
async function ensureDefaultData(reporter: Reporter): Promise<KaggleFiles> {
  const files = kaggleFiles(DEFAULT_DATA_DIR);
  if (!Object.values(files).every((file) => existsSync(file))) {
    const task = reporter.task('embedded data', 70_000, 'rows');
    await writeKaggleDefault(DEFAULT_DATA_DIR, { onProgress: (done) => task.update(done) });
    task.finish(`embedded default written to ${DEFAULT_DATA_DIR}/ (MNIST in Kaggle format)`);
  }
  return files;
}

async function readWithProgress<T>(
  file: string,
  reporter: Reporter,
  read: (onBytesRead: (bytes: number) => void) => Promise<T>,
  summary: (result: T) => string,
): Promise<T> {
  const megabytes = (await stat(file).catch(() => ({ size: 0 }))).size / 1e6;
  const task = reporter.task(`parse ${file}`, Math.max(1, Math.round(megabytes)), 'MB');
  const result = await read((bytes) => task.update(Math.round(bytes / 1e6)));
  task.finish(summary(result));
  return result;
}

/** How the job's CSV files are read: with or without a header line, and the longest line accepted. */
export type CsvLayout = Pick<ReadDigitsOptions, 'header' | 'maxLineBytes'>;

/** Reads train.csv into stratified, seeded train and validation datasets, with progress. */
export function readTrainValid(
  file: string,
  reporter: Reporter,
  split: { validFraction: number; seed: number },
  layout: CsvLayout = {},
): Promise<{ train: DigitDataset; valid: DigitDataset }> {
  return readWithProgress(
    file,
    reporter,
    (onBytesRead) =>
      lastValueFrom(readDigits(file, { ...layout, expect: 'labelled', onBytesRead }).pipe(splitTrainValid(split), toDataset())),
    ({ train, valid }) => `${file}: ${train.size + valid.size} labelled rows -> ${train.size} train / ${valid.size} validation`,
  ).then((parts) => {
    const rows = parts.train.size + parts.valid.size;
    if (parts.train.size === 0 || parts.valid.size === 0) {
      const needed = Math.ceil(1 / Math.min(split.validFraction, 1 - split.validFraction)) + 1;
      throw new UserError(`${file}: too few rows for a validation split: ${rows} row${rows === 1 ? '' : 's'}, need at least ${needed}`);
    }
    return parts;
  });
}

/** Reads a whole digit file (labelled train.csv or unlabelled test.csv) into a dataset, with progress. */
export function readDataset(
  file: string,
  reporter: Reporter,
  expect: 'labelled' | 'unlabelled' | 'either',
  options: CsvLayout & { onHeader?: (header: DigitFileHeader) => void } = {},
): Promise<DigitDataset> {
  return readWithProgress(
    file,
    reporter,
    (onBytesRead) => lastValueFrom(readDigits(file, { ...options, expect, onBytesRead }).pipe(toDataset())),
    (dataset) => `${file}: ${dataset.size} ${dataset.labelled ? 'labelled' : 'unlabelled'} rows`,
  );
}

/** The held-out answers, checked against the test set they belong to. */
export async function readAnswers(file: string, test: DigitDataset): Promise<Map<number, number>> {
  const answers = await readLabels(file);
  if (answers.size !== test.size) {
    throw new UserError(`${file}: ${answers.size} answers for ${test.size} test rows`);
  }
  return answers;
}

/** The classes the training file has: a classifier needs at least two. */
function checkClasses(file: string, train: DigitDataset, valid: DigitDataset): Set<number> {
  const classes = new Set([...train.labels!, ...valid.labels!]);
  if (classes.size < 2) {
    throw new UserError(`${file}: every row has label ${[...classes][0]}: a classifier needs at least two classes`);
  }
  return classes;
}

/** A labelled test file may only hold classes the models were trained on. */
function checkTestLabels(file: string, test: DigitDataset, trained: Set<number>, trainFile: string): void {
  const row = test.labels!.findIndex((label) => !trained.has(label));
  if (row >= 0) {
    throw new UserError(`${file}: the row with id ${test.ids[row]} has label ${test.labels![row]}, which ${trainFile} never has: the models cannot predict it`);
  }
}

/** The labels of a labelled dataset by id. */
function answersOf(dataset: DigitDataset): Map<number, number> {
  return new Map(Array.from(dataset.ids, (id, row) => [id, dataset.labels![row]]));
}

/** The same images without their labels: what the models are asked to predict. */
function unlabelledCopy(dataset: DigitDataset): DigitDataset {
  return dataset.labelled ? new DigitDataset(dataset.pixels, dataset.ids) : dataset;
}

/** What a training job reads: its files, the split and test datasets, and the answers when known. */
export interface JobData {
  files: InputFiles;
  data: TrainingData;
  answers?: Map<number, number>;
  /** The submissions' header when the test file has its own id column (`id` gives `id,label`). */
  submissionHeader?: [string, string];
}

/**
 * The inputs of `digits train` and `digits run`: the files resolved, train.csv split (stratified,
 * seeded) into train and validation, test.csv read, and the held-out answers for the embedded default.
 */
export async function readJobData(options: { train?: string; test?: string; seed: number } & CsvLayout, reporter: Reporter): Promise<JobData> {
  const files = await resolveInputs(options, reporter);
  const layout: CsvLayout = { header: options.header, maxLineBytes: options.maxLineBytes };
  const { train, valid } = await readTrainValid(files.train, reporter, { validFraction: JOB_VALID_FRACTION, seed: options.seed }, layout);
  const trained = checkClasses(files.train, train, valid);
  let idColumn: string | undefined;
  const test = await readDataset(files.test, reporter, 'either', { ...layout, onHeader: (header) => (idColumn = header.idColumn) });
  // a labelled test file (Kaggle's Fashion-MNIST) carries its own answers: scored after training only
  const answers = files.answers ? await readAnswers(files.answers, test) : test.labelled ? answersOf(test) : undefined;
  if (test.labelled && !files.answers) checkTestLabels(files.test, test, trained, files.train);
  if (test.labelled && !files.answers) reporter.info(`${files.test}: labelled; its labels are held out and used only to score the test predictions`);
  const submissionHeader = idColumn === undefined ? undefined : submissionHeaderFor(idColumn);
  return { files, data: { train, valid, test: unlabelledCopy(test) }, answers, ...(submissionHeader ? { submissionHeader } : {}) };
}

/** Picks the backend and tells the user which one runs and why. */
export async function startBackend(choice: BackendChoice, reporter: Reporter): Promise<BackendInfo> {
  const backend = await selectBackend({ backend: choice });
  reporter.info(`backend: ${backend.reason}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`);
  return backend;
}
