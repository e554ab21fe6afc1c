import { readFile } from 'node:fs/promises';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { readDigits } from '../../lib/io/digits.ts';
import { writeKaggleDefault } from '../../lib/io/kaggleDefault.ts';
import { readLabels } from '../../lib/io/submission.ts';
import { PIXELS } from '../../lib/types.ts';
import { tempDir } from '../helpers/files.ts';

/** 50 small synthetic "MNIST" digits: image i has every pixel equal to i, label i % 10. */
function syntheticDigits(count = 50) {
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++) images.fill(i, i * PIXELS, (i + 1) * PIXELS);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count };
}

describe('writeKaggleDefault', () => {
  it('splits every digit into train or test exactly once, with answers matching the test rows', async () => {
    const dir = await tempDir();
    const files = await writeKaggleDefault(dir, { digits: syntheticDigits(), trainRows: 30 });
    const train = await lastValueFrom(readDigits(files.train, { expect: 'labelled' }).pipe(toArray()));
    const test = await lastValueFrom(readDigits(files.test, { expect: 'unlabelled' }).pipe(toArray()));
    expect(train).toHaveLength(30);
    expect(test).toHaveLength(20);
    const source = [...train, ...test].map((r) => r.pixels[0]).sort((a, b) => a - b);
    expect(source).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const r of train) expect(r.label).toBe(r.pixels[0] % 10);
    const answers = await readLabels(files.testLabels);
    for (const r of test) expect(answers.get(r.id)).toBe(r.pixels[0] % 10);
    const sample = await readLabels(files.sampleSubmission);
    expect([...sample.keys()]).toEqual(test.map((r) => r.id));
  });

  it('writes the same bytes for the same seed and a different split for another seed', async () => {
    const digits = syntheticDigits();
    const a = await writeKaggleDefault(await tempDir(), { digits, trainRows: 30, seed: 1 });
    const b = await writeKaggleDefault(await tempDir(), { digits, trainRows: 30, seed: 1 });
    const c = await writeKaggleDefault(await tempDir(), { digits, trainRows: 30, seed: 2 });
    for (const key of ['train', 'test', 'sampleSubmission', 'testLabels'] as const) {
      expect(await readFile(a[key])).toEqual(await readFile(b[key]));
    }
    expect(await readFile(a.train)).not.toEqual(await readFile(c.train));
  });

  it('rejects an impossible split', async () => {
    await expect(writeKaggleDefault(await tempDir(), { digits: syntheticDigits(), trainRows: 50 })).rejects.toThrow(/trainRows must be between 1 and 49/);
  });
});
