// digit-flow public API.

export * from './types.ts';
export { InputFileError, UserError } from './errors.ts';

// io: sources and sinks
export { readCsv, CsvParser, type CsvRow, type CsvOptions } from './io/csv.ts';
export { readDigits, describeSkips, digitHeader, type ReadDigitsOptions, type InvalidRowPolicy, type SkipReport } from './io/digits.ts';
export { parseIdx, readIdx, encodeIdx, readIdxDigits, readMnist, mnistDataDir, type IdxArray, type MnistDigits } from './io/idx.ts';
export { writeSubmission, readLabels, score, scoreLabels, SUBMISSION_HEADER, type Score } from './io/submission.ts';
export {
  writeKaggleDefault,
  kaggleFiles,
  encodeDigitRows,
  KAGGLE_TRAIN_ROWS,
  KAGGLE_TEST_ROWS,
  DEFAULT_DATA_SEED,
  type KaggleFiles,
  type WriteKaggleOptions,
} from './io/kaggleDefault.ts';
export { writeFileAtomic, openAtomicFile, type AtomicFile } from './io/atomic.ts';

// data
export { DigitDataset, disposeBatch, type BatchOptions } from './data/dataset.ts';
export { seededRandom, permutation, type Random } from './data/random.ts';
