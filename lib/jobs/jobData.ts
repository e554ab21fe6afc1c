import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ImageDataset } from '../data/dataset.ts';
import { UserError } from '../errors.ts';
import { sha256 } from '../io/runDir.ts';
import { readAnswers, readJobData, type InputFiles, type JobDataOptions } from './inputs.ts';
import { silentReporter } from './reporter.ts';
import type { TrainingData } from './trainModel.ts';
import type { DataReference, FileReference, JobCsvLayout } from './trainingJob.ts';

/** The datasets a job trains on, read from its {@link DataReference}. */
export interface ReferencedData {
  data: TrainingData;
  /** Held-out answers by test id, when the reference names them. */
  answers?: Map<number, number>;
}

/** Where a worker may read: a job naming a file outside every root is refused. */
export interface DataAccess {
  /**
   * Directories whose files jobs may read (symbolic links resolved). Absent: no restriction, for
   * jobs this process made itself (in-process, local worker processes); a queue worker always has roots.
   */
  dataRoots?: readonly string[];
}

/**
 * `path` with its content hash, as a job refers to it.
 *
 * @example
 * const train = await fileReference('data/train.csv'); // { path: '/work/data/train.csv', sha256: '9f2c…' }
 */
export async function fileReference(path: string): Promise<FileReference> {
  return { path: resolve(path), sha256: await sha256(path) };
}

/**
 * The reference to the data `readJobData(options)` read from `files`, for jobs that other processes
 * run: absolute paths with content hashes, the split seed, the layout and the class names, and the
 * first `rows` to train and validate on when the coordinator used a subset.
 *
 * @example
 * const job = await readJobData(options, reporter);
 * const data = await dataReference(options, job.files);
 */
export async function dataReference(options: JobDataOptions, files: InputFiles, rows?: DataReference['rows']): Promise<DataReference> {
  const layout: JobCsvLayout = {};
  if (options.header !== undefined) layout.header = options.header;
  if (options.maxLineBytes !== undefined) layout.maxLineBytes = options.maxLineBytes;
  if (options.size !== undefined) {
    if (typeof options.size === 'string') throw new UserError(`dataReference: size must be { width, height, channels } for a job, got '${options.size}'`);
    layout.size = { width: options.size.width, height: options.size.height, channels: options.size.channels };
  }
  if (options.channelOrder !== undefined) layout.channelOrder = options.channelOrder;
  if (options.idColumn !== undefined) layout.idColumn = options.idColumn;
  return {
    train: await fileReference(files.train),
    test: await fileReference(files.test),
    ...(files.answers ? { answers: await fileReference(files.answers) } : {}),
    splitSeed: options.seed,
    ...(Object.keys(layout).length > 0 ? { layout } : {}),
    ...(options.classNames ? { classNames: [...options.classNames] } : {}),
    ...(rows ? { rows } : {}),
  };
}

/**
 * Checks that a referenced file lies inside a data root (when roots are given) and has the content
 * the job names; a one-line `UserError` naming the file otherwise.
 */
export async function checkReferencedFile(file: FileReference, access: DataAccess = {}): Promise<void> {
  const real = await realpath(file.path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file.path}: cannot read the job's data file here (${error.code ?? error.message})`);
  });
  if (access.dataRoots) {
    const roots = await Promise.all(access.dataRoots.map((root) => realpath(root).catch(() => resolve(root))));
    if (!roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) {
      throw new UserError(`${file.path}: outside the data roots (${access.dataRoots.join(', ')}); start the worker with --data-root naming its directory`);
    }
  }
  const found = await sha256(real);
  if (found !== file.sha256) {
    throw new UserError(`${file.path}: content differs from the coordinator's (SHA-256 ${found.slice(0, 12)}… here, ${file.sha256.slice(0, 12)}… in the job)`);
  }
}

/** Every file a data reference names. */
export function referencedFiles(reference: DataReference): FileReference[] {
  return [reference.train, reference.test, ...(reference.answers ? [reference.answers] : [])];
}

/** The last data read, by reference: a worker usually runs many jobs on the same files. */
let cached: { key: string; data: Promise<ReferencedData> } | undefined;

/**
 * The datasets a {@link DataReference} describes, read as the coordinator read them: each file
 * checked (data roots, content hash) first, then `readJobData` with the reference's split seed and
 * layout, the answers, and the first `rows` when the reference has them. The last data read is
 * kept, so a worker reads its files once for a run's jobs (their hashes are checked every time).
 *
 * @example
 * const { data, answers } = await readReferencedData(job.data, { dataRoots: ['/data'] });
 */
export async function readReferencedData(reference: DataReference, access: DataAccess = {}): Promise<ReferencedData> {
  for (const file of referencedFiles(reference)) await checkReferencedFile(file, access);
  const key = JSON.stringify(reference);
  if (cached?.key !== key) {
    const data = readData(reference);
    cached = { key, data };
    data.catch(() => {
      // a failed read is not kept
      if (cached?.data === data) cached = undefined;
    });
  }
  return cached.data;
}

async function readData(reference: DataReference): Promise<ReferencedData> {
  const job = await readJobData({ train: reference.train.path, test: reference.test.path, seed: reference.splitSeed, ...reference.layout, classNames: reference.classNames }, silentReporter());
  const answers = reference.answers ? await readAnswers(reference.answers.path, job.data.test, job.data.train.format) : job.answers;
  const { rows = {} } = reference;
  const first = (dataset: ImageDataset, n: number | undefined): ImageDataset => (n === undefined ? dataset : firstRows(dataset, n));
  const data = { train: first(job.data.train, rows.train), valid: first(job.data.valid, rows.valid), test: first(job.data.test, rows.test) };
  return { data, ...(answers ? { answers } : {}) };
}

/**
 * The first `n` rows of a dataset (all of it when it has fewer): train.csv's rows come in no
 * particular order, so they are a fair sample.
 */
export function firstRows(dataset: ImageDataset, n: number): ImageDataset {
  return n >= dataset.size ? dataset : dataset.subset(Array.from({ length: n }, (_, i) => i));
}
