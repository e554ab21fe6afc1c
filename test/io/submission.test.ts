import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels, score, submissionHeaderFor, writeSubmission } from '../../lib/io/submission.ts';
import { tempDir } from '../helpers/files.ts';

describe('writeSubmission', () => {
  it('writes ImageId,Label with one row per test image in order', async () => {
    const dir = await tempDir();
    const file = join(dir, 'submission.csv');
    await writeSubmission(file, [1, 2, 3], [7, 0, 9]);
    expect(await readFile(file, 'utf8')).toBe('ImageId,Label\n1,7\n2,0\n3,9\n');
    expect(await readdir(dir)).toEqual(['submission.csv']); // no temp file left behind
  });

  it('refuses gaps, reordering, mismatched lengths and bad labels, writing nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'submission.csv');
    await expect(writeSubmission(file, [1, 3], [1, 1])).rejects.toThrow(/row 2 has ImageId 3, expected 2/);
    await expect(writeSubmission(file, [2, 1], [1, 1])).rejects.toThrow(/row 1 has ImageId 2, expected 1/);
    await expect(writeSubmission(file, [1, 2], [1])).rejects.toThrow(/2 ids but 1 labels/);
    await expect(writeSubmission(file, [1], [10])).rejects.toThrow(/ImageId 1 has label 10/);
    await expect(writeSubmission(file, [], [])).rejects.toThrow(/no predictions/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeSubmission: labels as the input wrote them', () => {
  it('writes each class index as its label text, quoting one with a comma, and refuses an index past the classes', async () => {
    const dir = await tempDir();
    const file = join(dir, 'submission.csv');
    await writeSubmission(file, [1, 2, 3], [2, 0, 1], { classes: ['24', 'Ankle boot, left', 'bag'] });
    expect(await readFile(file, 'utf8')).toBe('ImageId,Label\n1,bag\n2,24\n3,"Ankle boot, left"\n');
    await expect(writeSubmission(join(dir, 'bad.csv'), [1], [3], { classes: ['a', 'b', 'c'] })).rejects.toThrow(/ImageId 1 has class index 3, expected 0–2/);
    expect(await readdir(dir)).toEqual(['submission.csv']);
  });
});

describe('score', () => {
  async function files(submission: string, answers = 'ImageId,Label\n1,7\n2,0\n3,9\n4,4\n') {
    const dir = await tempDir();
    await writeFile(join(dir, 'sub.csv'), submission);
    await writeFile(join(dir, 'answers.csv'), answers);
    return [join(dir, 'sub.csv'), join(dir, 'answers.csv')] as const;
  }

  it('computes accuracy against the answers, whatever the row order', async () => {
    const [sub, answers] = await files('ImageId,Label\r\n4,4\r\n1,7\r\n2,1\r\n3,9\r\n');
    expect(await score(sub, answers)).toEqual({ accuracy: 0.75, correct: 3, total: 4 });
  });

  it('rejects missing, duplicate and extra ImageIds', async () => {
    const missing = await files('ImageId,Label\n1,7\n2,0\n3,9\n');
    await expect(score(...missing)).rejects.toThrow(/sub\.csv: missing ImageId 4/);
    const duplicate = await files('ImageId,Label\n1,7\n2,0\n2,0\n3,9\n4,4\n');
    await expect(score(...duplicate)).rejects.toThrow(/sub\.csv:4: column ImageId: duplicate ImageId 2 \(first on line 3\)/);
    const extra = await files('ImageId,Label\n1,7\n2,0\n3,9\n4,4\n5,1\n6,1\n');
    await expect(score(...extra)).rejects.toThrow(/sub\.csv: ImageId 5 is not in the answers \(and 1 more\)/);
  });

  it('rejects a malformed file naming line and field', async () => {
    await expect(score(...(await files('ImageId,Label,Extra\n1,7,0\n')))).rejects.toThrow(/sub\.csv:1: header is 'ImageId,Label,Extra', expected an id and a label column/);
    await expect(score(...(await files('ImageId,Label\n1,x\n')))).rejects.toThrow(/sub\.csv:2: column Label: 'x' is not a digit/);
    await expect(score(...(await files('ImageId,Label\n0,1\n')))).rejects.toThrow(/sub\.csv:2: column ImageId: '0' is not a positive integer/);
    await expect(score(...(await files('ImageId,Label\n1,1,1\n')))).rejects.toThrow(/sub\.csv:2: expected 2 fields, found 3/);
    await expect(score(...(await files('')))).rejects.toThrow(/sub\.csv:1: the file is empty/);
  });

  it('reads back what writeSubmission wrote', async () => {
    const file = join(await tempDir(), 's.csv');
    await writeSubmission(file, [1, 2], [5, 6]);
    expect([...(await readLabels(file)).entries()]).toEqual([
      [1, 5],
      [2, 6],
    ]);
  });
});

describe('submissions that echo the test file’s ids', () => {
  it('writes the given header and ids, refuses repeated ones, and reads them back', async () => {
    const file = join(await tempDir(), 'kannada.csv');
    await writeSubmission(file, [0, 1, 5], [3, 4, 9], { header: submissionHeaderFor('id') });
    expect(await readFile(file, 'utf8')).toBe('id,label\n0,3\n1,4\n5,9\n');
    expect([...(await readLabels(file))]).toEqual([[0, 3], [1, 4], [5, 9]]);
    await expect(writeSubmission(file, [0, 0], [1, 1], { header: ['id', 'label'] })).rejects.toThrow(/row 2 has id 0, a repeated id/);
    await expect(writeSubmission(file, [0], [1], { header: ['a,b', 'c'] as unknown as [string, string] })).rejects.toThrow(/header must be two column names/);
    expect(submissionHeaderFor('ImageId')).toEqual(['ImageId', 'Label']);
  });
});
