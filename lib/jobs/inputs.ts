import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { lastValueFrom } from 'rxjs';
import { selectBackend, type BackendChoice, type BackendInfo } from '../backend/selectBackend.ts';
import type { Observable } from 'rxjs';
import { ImageDataset } from '../data/dataset.ts';
import { classIndexOf, describeSize, sameSize, formatFromLabels, imageFormat, MAX_CLASSES, pixelCount, withClassNames, type ImageFormat, type ImageSize } from '../data/format.ts';
import { InputFileError, UserError } from '../errors.ts';
import { readImageHeader, readImages, type ImageFileHeader, type ReadImagesOptions } from '../io/digits.ts';
import { LabelMap } from '../io/labels.ts';
import type { ImageRecord } from '../types.ts';
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

/**
 * How the job's CSV files are read: header line or none, the longest line accepted, the image size
 * and channel order when the pixel count does not say, and the id column's name.
 */
export type CsvLayout = Pick<ReadImagesOptions, 'header' | 'maxLineBytes' | 'size' | 'channelOrder' | 'idColumn'>;

/** What a training file's classes are called: names in label order (the CLI's `--classes`). */
export interface ClassNaming {
  /** One name per class, in the order of the sorted labels; the labels themselves when absent. */
  classNames?: readonly string[];
}

/**
 * Reads a labelled file into datasets whose format is found from the file: the size from the
 * header, the classes from the labels (sorted as numbers when all are integers, else as text),
 * named by `classNames` when given. Labels are gathered in one pass with a growing `LabelMap`
 * and the class indices renumbered at the end. `size` is the header's, when the caller has read it.
 */
async function readLabelledFile<T>(
  file: string,
  layout: CsvLayout & ClassNaming,
  onBytesRead: (bytes: number) => void,
  collect: (records: Observable<ImageRecord>, provisional: ImageFormat) => Promise<T>,
  relabelAll: (result: T, relabel: (dataset: ImageDataset) => ImageDataset) => T,
  size?: ImageSize,
): Promise<T> {
  const { classNames, ...csv } = layout;
  const imageSize = size ?? (await readImageHeader(file, { ...csv, expect: 'labelled' })).size;
  const labels = new LabelMap();
  // class indices in order of first appearance until every label is known
  const provisional = imageFormat({ ...imageSize, classes: MAX_CLASSES });
  const result = await collect(readImages(file, { ...csv, size: imageSize, expect: 'labelled', labels, onBytesRead }), provisional);
  const found = formatFromLabels(imageSize, labels.labels);
  if (found.format.classes.length < 2) {
    throw new UserError(`${file}: every row has label ${found.format.classes[0]?.label ?? '(none)'}: a classifier needs at least two classes`);
  }
  const format = classNames ? withClassNames(found.format, classNames) : found.format;
  const relabel = (dataset: ImageDataset): ImageDataset =>
    new ImageDataset(dataset.pixels, dataset.ids, Uint8Array.from(dataset.labels!, (k) => found.indexOf[k]), format);
  return relabelAll(result, relabel);
}

/**
 * Reads a labelled train.csv into stratified, seeded train and validation datasets, with progress.
 * Their format (size, classes, names) comes from the file and `layout`.
 */
export function readTrainValid(
  file: string,
  reporter: Reporter,
  split: { validFraction: number; seed: number },
  layout: CsvLayout & ClassNaming = {},
): Promise<{ train: ImageDataset; valid: ImageDataset }> {
  return readWithProgress(
    file,
    reporter,
    (onBytesRead) =>
      readLabelledFile(
        file,
        layout,
        onBytesRead,
        (records, format) => lastValueFrom(records.pipe(splitTrainValid(split), toDataset({ format }))),
        (parts, relabel) => ({ train: relabel(parts.train), valid: relabel(parts.valid) }),
      ),
    ({ train, valid }) =>
      `${file}: ${train.size + valid.size} labelled rows, ${describeFormat(train.format)} -> ${train.size} train / ${valid.size} validation`,
  ).then((parts) => {
    const rows = parts.train.size + parts.valid.size;
    if (parts.train.size === 0 || parts.valid.size === 0) {
      const needed = Math.ceil(1 / Math.min(split.validFraction, 1 - split.validFraction)) + 1;
      throw new UserError(`${file}: too few rows for a validation split: ${rows} row${rows === 1 ? '' : 's'}, need at least ${needed}`);
    }
    return parts;
  });
}

/** `28x28 grey, 10 classes` for progress lines. */
function describeFormat(format: ImageFormat): string {
  return `${describeSize(format)} ${format.channels === 1 ? 'grey' : 'RGB'}, ${format.classes.length} classes`;
}

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions extends CsvLayout, ClassNaming {
  /** Told what the header says, once it is read. */
  onHeader?: (header: ImageFileHeader) => void;
  /**
   * The training set's format: the file's images must have its size, and its labels (if any) must
   * be among its classes. Without it a labelled file's classes come from its labels, and an
   * unlabelled file's are unknown (none).
   */
  format?: ImageFormat;
  /** The training file's name, for errors that compare the two files. */
  formatFrom?: string;
}

/**
 * Reads a whole image file (labelled train.csv or unlabelled test.csv) into a dataset, with
 * progress. With `format`, it is read as a test file of that training set.
 */
export async function readDataset(
  file: string,
  reporter: Reporter,
  expect: 'labelled' | 'unlabelled' | 'either',
  options: ReadDatasetOptions = {},
): Promise<ImageDataset> {
  const { onHeader, format, formatFrom = 'the training file', classNames, ...csv } = options;
  // a size given for the training file serves its test file too, when the count alone does not say
  const header = await readImageHeader(file, { ...csv, expect }).catch((error: unknown) =>
    format && !csv.size && error instanceof InputFileError && error.line === 1 ? readImageHeader(file, { ...csv, size: format, expect }) : Promise.reject(error),
  );
  onHeader?.(header);
  if (format && !sameSize(header.size, format)) {
    throw new InputFileError(
      file,
      1,
      undefined,
      `its images are ${describeSize(header.size)} (${pixelCount(header.size)} pixel values), but ${formatFrom}'s are ${describeSize(format)} (${pixelCount(format)}): a model trained on one cannot read the other`,
    );
  }
  const summary = (dataset: ImageDataset): string => `${file}: ${dataset.size} ${dataset.labelled ? 'labelled' : 'unlabelled'} rows, ${describeSize(dataset.format)}`;
  if (format || !header.labelled) {
    const known = format ?? imageFormat({ ...header.size, classes: [] });
    const classes = known.classes.map((c) => c.label);
    return readWithProgress(
      file,
      reporter,
      (onBytesRead) => lastValueFrom(readImages(file, { ...csv, size: header.size, expect, classes, onBytesRead }).pipe(toDataset({ format: known }))),
      summary,
    );
  }
  return readWithProgress(
    file,
    reporter,
    (onBytesRead) =>
      readLabelledFile(
        file,
        { ...csv, classNames },
        onBytesRead,
        (records, provisional) => lastValueFrom(records.pipe(toDataset({ format: provisional }))),
        (dataset, relabel) => relabel(dataset),
        header.size,
      ),
    summary,
  );
}

/**
 * The held-out answers (the embedded default's test_labels.csv), checked against the test set they
 * belong to and mapped to its class indices.
 */
export async function readAnswers(file: string, test: ImageDataset, format: ImageFormat = test.format): Promise<Map<number, number>> {
  const answers = await readLabels(file);
  if (answers.size !== test.size) {
    throw new UserError(`${file}: ${answers.size} answers for ${test.size} test rows`);
  }
  const classes = new Map<number, number>();
  for (const [id, label] of answers) {
    const k = classIndexOf(format, String(label));
    if (k === undefined) throw new UserError(`${file}: ImageId ${id} has label ${label}, which the training set never has`);
    classes.set(id, k);
  }
  return classes;
}

/** The labels of a labelled dataset by id. */
function answersOf(dataset: ImageDataset): Map<number, number> {
  return new Map(Array.from(dataset.ids, (id, row) => [id, dataset.labels![row]]));
}

/** What a training job reads: its files, the split and test datasets, and the answers when known. */
export interface JobData {
  files: InputFiles;
  data: TrainingData;
  /** Test answers as class indices by id: the embedded default's, or a labelled test file's own. */
  answers?: Map<number, number>;
  /** The submissions' header when the test file has its own id column (`id` gives `id,label`). */
  submissionHeader?: readonly [string, string];
}

/** The options of {@link readJobData}: the files, the split's seed, how the CSVs are laid out and the class names. */
export type JobDataOptions = {
  train?: string;
  test?: string;
  seed: number;
  /** The submissions' header, when the competition wants another than the test file's (`id,label`) or `ImageId,Label`. */
  submissionHeader?: readonly [string, string];
} & CsvLayout &
  ClassNaming;

/**
 * The inputs of `digits train` and `digits run`: the files resolved, train.csv split (stratified,
 * seeded) into train and validation with the data set's format found from it, test.csv read as
 * that format, and the answers when known (the embedded default's, or a labelled test file's).
 */
export async function readJobData(options: JobDataOptions, reporter: Reporter): Promise<JobData> {
  const files = await resolveInputs(options, reporter);
  const layout: CsvLayout = {
    header: options.header,
    maxLineBytes: options.maxLineBytes,
    size: options.size,
    channelOrder: options.channelOrder,
    idColumn: options.idColumn,
  };
  const { train, valid } = await readTrainValid(files.train, reporter, { validFraction: JOB_VALID_FRACTION, seed: options.seed }, { ...layout, classNames: options.classNames });
  let idColumn: string | undefined;
  // the test file's own id column, never the training file's option: it may have none
  const test = await readDataset(files.test, reporter, 'either', {
    ...layout,
    idColumn: undefined,
    format: train.format,
    formatFrom: files.train,
    onHeader: (header) => (idColumn = header.idColumn),
  });
  // a labelled test file (Kaggle's Fashion-MNIST) carries its own answers: scored after training only
  const answers = files.answers ? await readAnswers(files.answers, test, train.format) : test.labelled ? answersOf(test) : undefined;
  if (test.labelled && !files.answers) reporter.info(`${files.test}: labelled; its labels are held out and used only to score the test predictions`);
  const submissionHeader = options.submissionHeader ?? (idColumn === undefined ? undefined : submissionHeaderFor(idColumn));
  return { files, data: { train, valid, test: test.unlabelled() }, answers, ...(submissionHeader ? { submissionHeader } : {}) };
}

/** Picks the backend and tells the user which one runs and why. */
export async function startBackend(choice: BackendChoice, reporter: Reporter): Promise<BackendInfo> {
  const backend = await selectBackend({ backend: choice });
  reporter.info(`backend: ${backend.reason}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`);
  return backend;
}
