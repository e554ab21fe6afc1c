import { mkdir, writeFile } from 'node:fs/promises';
import { digitHeader } from '../../lib/io/digits.ts';
import { kaggleFiles, type KaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { mnistRows } from '../models/fixtures.ts';

/**
 * A small Kaggle-format pair in `dir` made of real MNIST digits: a labelled train.csv of `trainRows`
 * rows and an unlabelled test.csv of `testRows` rows (ImageId order).
 */
export async function writeKaggleCsvs(dir: string, trainRows: number, testRows: number): Promise<KaggleFiles> {
  const digits = await mnistRows(0, trainRows + testRows);
  const row = (i: number, labelled: boolean): string =>
    [...(labelled ? [digits.labels![i]] : []), ...digits.pixels.subarray(i * 784, (i + 1) * 784)].join(',');
  const files = kaggleFiles(dir);
  await mkdir(dir, { recursive: true });
  await writeFile(files.train, [digitHeader(true).join(','), ...Array.from({ length: trainRows }, (_, i) => row(i, true)), ''].join('\n'));
  await writeFile(files.test, [digitHeader(false).join(','), ...Array.from({ length: testRows }, (_, i) => row(trainRows + i, false)), ''].join('\n'));
  return files;
}
