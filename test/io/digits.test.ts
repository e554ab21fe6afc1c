import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { readDigits, type ReadDigitsOptions, type SkipReport } from '../../lib/io/digits.ts';
import { PIXELS } from '../../lib/types.ts';
import { digitCsv, fixturePixels } from '../helpers/digitCsv.ts';
import { openEndlessFile, openHandlesTo, tempDir } from '../helpers/files.ts';

const rows = [
  { label: 3, pixels: fixturePixels(1) },
  { label: 0, pixels: fixturePixels(2) },
  { label: 9, pixels: fixturePixels(3) },
];

async function fileWith(text: string, name = 'train.csv'): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

async function read(text: string, options: ReadDigitsOptions = {}) {
  return lastValueFrom(readDigits(await fileWith(text), options).pipe(toArray()));
}

/** The CSV lines of `rows`, with one field of one data row replaced. */
function withField(rowIndex: number, fieldIndex: number, value: string): string {
  const lines = digitCsv(rows).split('\n');
  const fields = lines[rowIndex + 1].split(',');
  fields[fieldIndex] = value;
  lines[rowIndex + 1] = fields.join(',');
  return lines.join('\n');
}

describe('readDigits', () => {
  it('reads labelled rows with 1-based ids and exact pixels', async () => {
    const records = await read(digitCsv(rows));
    expect(records.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.label)).toEqual([3, 0, 9]);
    records.forEach((r, i) => expect(Array.from(r.pixels)).toEqual(rows[i].pixels));
    expect(records[0].pixels).toHaveLength(PIXELS);
  });

  it('reads unlabelled (test format) rows without a label', async () => {
    const records = await read(digitCsv(rows.map((r) => ({ pixels: r.pixels })), { labelled: false }));
    expect(records).toHaveLength(3);
    expect(records[0]).not.toHaveProperty('label');
    expect(Array.from(records[2].pixels)).toEqual(rows[2].pixels);
  });

  it('reads CRLF, a BOM, a missing final newline and quoted numbers identically', async () => {
    const plain = await read(digitCsv(rows));
    expect(await read(digitCsv(rows, { eol: '\r\n', bom: true }))).toEqual(plain);
    expect(await read(digitCsv(rows, { finalEol: false }))).toEqual(plain);
    expect(await read(digitCsv(rows).replace(/,(\d+),/g, ',"$1",'))).toEqual(plain);
  });

  it('gives the same records at every chunk size', async () => {
    const text = digitCsv(rows, { eol: '\r\n', bom: true });
    const whole = await read(text);
    for (const chunkBytes of [1, 2, 3, 64, 1000]) {
      expect(await read(text, { chunkBytes })).toEqual(whole);
    }
  });

  it.each([
    ['a pixel above 255', withField(1, 5, '300'), /train\.csv:3: column pixel4: pixel value 300 is outside 0–255/],
    ['a negative pixel', withField(0, 1, '-1'), /train\.csv:2: column pixel0: pixel value -1 is outside 0–255/],
    ['a decimal pixel', withField(2, 784, '1.5'), /train\.csv:4: column pixel783: '1\.5' is not an integer/],
    ['an empty pixel', withField(0, 10, ''), /train\.csv:2: column pixel9: empty value/],
    ['a label outside 0–255', withField(1, 0, '256'), /train\.csv:3: column label: label 256 is outside 0–255/],
    ['a label that is a name, without classes', withField(1, 0, 'cat'), /train\.csv:3: column label: label 'cat' is not an integer: labels that are names need the classes/],
    ['a missing field', withField(1, 784, '').replace(/,\n/, '\n'), /train\.csv:3: expected 785 fields, found 784/],
    ['an extra field', withField(0, 784, '0,0'), /train\.csv:2: column 786: too many fields/],
    ['a blank line', digitCsv(rows).replace('\n', '\n\n'), /train\.csv:2: empty line/],
  ])('fails on %s naming file, line and column', async (_, text, message) => {
    const error = await read(text).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('fails on a truncated last line', async () => {
    const text = digitCsv(rows);
    await expect(read(text.slice(0, text.length - 1000))).rejects.toThrow(/train\.csv:4: truncated last line: \d+ of 785 fields/);
  });

  it('fails on an empty file, a header-only file and a wrong or missing header', async () => {
    await expect(read('')).rejects.toThrow(/train\.csv:1: the file is empty/);
    await expect(read('\uFEFF')).rejects.toThrow(/the file is empty/);
    await expect(read(digitCsv([]))).rejects.toThrow(/train\.csv:2: no data rows after the header/);
    await expect(read(digitCsv(rows).replace('pixel17,', 'pixel17x,'))).rejects.toThrow(/train\.csv:1: column 19: header: expected 'pixel17', found 'pixel17x'/);
    await expect(read(digitCsv(rows).split('\n').slice(1).join('\n'))).rejects.toThrow(/train\.csv:1: column 1: header/);
    await expect(read(digitCsv(rows).replace(',pixel783', ''))).rejects.toThrow(/header: 783 pixel columns are neither a square image .* \(the nearest is 784 = 28x28: is a pixel column missing or extra\?\); give the size/);
  });

  it('checks the expected format: labelled or not', async () => {
    await expect(read(digitCsv(rows), { expect: 'unlabelled' })).rejects.toThrow(/expected an unlabelled \(test\) file/);
    const testText = digitCsv(rows.map((r) => ({ pixels: r.pixels })), { labelled: false });
    await expect(read(testText, { expect: 'labelled' })).rejects.toThrow(/expected a labelled file/);
  });

  it("with onInvalid 'skip' leaves bad rows out, keeps ids as row numbers and reports the skips", async () => {
    let report: SkipReport | undefined;
    const text = withField(1, 5, '300');
    const records = await read(text, { onInvalid: 'skip', onSkipped: (r) => (report = r) });
    expect(records.map((r) => r.id)).toEqual([1, 3]);
    expect(report).toMatchObject({ skipped: 1, firstLines: [3] });
    expect(report!.firstError).toMatch(/:3: column pixel4/);
  });

  it("with onInvalid 'skip' still reports when no callback is given (stderr)", async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      await read(withField(0, 0, 'x'), { onInvalid: 'skip' });
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toMatch(/skipped 1 invalid row \(line 2\)/);
  });

  it('closes the file when the subscriber unsubscribes early', async () => {
    const endless = await openEndlessFile(await tempDir(), digitCsv(rows));
    try {
      const first = await firstValueFrom(readDigits(endless.path).pipe(take(1)));
      expect(first.id).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await openHandlesTo(endless.path)).toBe(1);
    } finally {
      await endless.close();
    }
  });
});

describe('readDigits progress', () => {
  it('reports the bytes read after each chunk, ending at the file size', async () => {
    const text = digitCsv(rows);
    const seen: number[] = [];
    await lastValueFrom(readDigits(await fileWith(text), { chunkBytes: 1000, onBytesRead: (n) => seen.push(n) }).pipe(toArray()));
    expect(seen.length).toBe(Math.ceil(text.length / 1000));
    expect(seen.at(-1)).toBe(text.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('readDigits: limits and edges', () => {
  it('accepts blank lines at the end of a file, and names a blank line in the middle', async () => {
    const text = digitCsv(rows);
    expect(await read(`${text}\n`)).toHaveLength(3);
    expect(await read(`${text}\n\n`)).toHaveLength(3);
    // before the second data row (label 0): line 3 is blank, data follows
    await expect(read(text.replace(/\n(?=0,)/, '\n\n'))).rejects.toThrow(/train\.csv:3: empty line/);
  });

  it('stops a line past maxLineBytes at once, naming the line and the limit', async () => {
    const text = digitCsv(rows);
    await expect(read(text, { maxLineBytes: 1000 })).rejects.toThrow(/train\.csv:1: line is longer than 1,000 bytes/);
    await expect(read(`${text}${'7'.repeat(10_000)}`, { maxLineBytes: 8192, chunkBytes: 512 })).rejects.toThrow(/train\.csv:5: line is longer than 8 KiB/);
    expect(await read(text, { maxLineBytes: 8192 })).toHaveLength(3);
  });

  it('refuses /dev/zero in flat memory', async () => {
    const before = process.memoryUsage().rss;
    await expect(lastValueFrom(readDigits('/dev/zero'))).rejects.toThrow(/\/dev\/zero:1: line is longer than 4 MiB/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
  });

  it('checks its options, naming the function and the option', () => {
    expect(() => readDigits('x.csv', { chunkBytes: 0 })).toThrow('readImages: chunkBytes must be an integer >= 1, got 0');
    expect(() => readDigits('x.csv', { chunkBytes: -5 })).toThrow('readImages: chunkBytes must be an integer >= 1, got -5');
    expect(() => readDigits('x.csv', { chunkBytes: 1.5 })).toThrow('readImages: chunkBytes must be an integer >= 1, got 1.5');
    expect(() => readDigits('x.csv', { maxLineBytes: 0 })).toThrow('readImages: maxLineBytes must be an integer >= 1, got 0');
    expect(() => readDigits('x.csv', { expect: 'bogus' as 'labelled' })).toThrow("readImages: expect must be 'labelled', 'unlabelled' or 'either', got 'bogus'");
    expect(() => readDigits('x.csv', { onInvalid: 'ignore' as 'skip' })).toThrow("readImages: onInvalid must be 'fail' or 'skip', got 'ignore'");
  });

  it('quotes a wrong header short, with control bytes escaped', async () => {
    const header = `\x1b[2J${'x'.repeat(7000)}`;
    const error = await read(`${header}\n1,2\n`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("'\\x1b[2J");
    expect((error as Error).message).not.toMatch(/\x1b/);
    expect((error as Error).message.length).toBeLessThan(300);
  });
});

describe('readDigits: pixel column names', () => {
  const renamed = (text: string, name: (k: number) => string): string => {
    const [header, ...rest] = text.split('\n');
    const fields = header.split(',');
    const offset = fields[0] === 'label' ? 1 : 0;
    return [fields.map((f, i) => (i < offset ? f : name(i - offset))).join(','), ...rest].join('\n');
  };

  it('reads pixel1..pixel784 (Kaggle Fashion-MNIST) and any prefix numbered from 0 or 1, with the same records', async () => {
    const text = digitCsv(rows);
    const expected = await read(text);
    expect(await read(renamed(text, (k) => `pixel${k + 1}`))).toEqual(expected);
    expect(await read(renamed(text, (k) => `px_${k}`))).toEqual(expected);
    expect(await read(renamed(digitCsv(rows, { labelled: false }), (k) => `pixel${k + 1}`))).toHaveLength(3);
  });

  it('names the column where the numbering breaks, or a first pixel column it cannot read', async () => {
    const text = digitCsv(rows);
    await expect(read(renamed(text, (k) => (k === 5 ? 'pixel7' : `pixel${k + 1}`)))).rejects.toThrow(
      /train\.csv:1: column 7: header: expected 'pixel6', found 'pixel7'/,
    );
    await expect(read(renamed(text, (k) => `p${k + 2}`))).rejects.toThrow(/train\.csv:1: column 2: header: expected the first pixel column .*found 'p2'/);
    await expect(read(text.replace(',pixel783', ''))).rejects.toThrow(/783 pixel columns are neither a square image/);
    await expect(read(text.replace(',pixel783', ''), { size: '28x28' })).rejects.toThrow(/missing column 'pixel783': 783 pixel columns, expected 784 \(28x28\)/);
  });
});

describe('readDigits: an id column', () => {
  const withIds = (text: string, name: string, ids: string[]): string => {
    const [header, ...rest] = text.trimEnd().split('\n');
    return [`${name},${header}`, ...rest.map((row, i) => `${ids[i]},${row}`), ''].join('\n');
  };

  it('takes ImageId or id (any case) as the records’ ids, and says so in onHeader', async () => {
    const text = digitCsv(rows, { labelled: false });
    let header: unknown;
    const records = await read(withIds(text, 'id', ['0', '17', '4']), { onHeader: (h) => (header = h) });
    expect(records.map((r) => r.id)).toEqual([0, 17, 4]);
    expect(header).toEqual({ labelled: false, size: { width: 28, height: 28, channels: 1 }, idColumn: 'id', pixelColumns: ['pixel0', 'pixel783'] });
    expect((await read(withIds(text, 'ImageId', ['3', '2', '1']))).map((r) => r.id)).toEqual([3, 2, 1]);
    // a labelled file may carry ids too, and the label keeps its place
    const labelled = await read(withIds(digitCsv(rows), 'ID', ['9', '8', '7']));
    expect(labelled.map((r) => [r.id, r.label])).toEqual([[9, 3], [8, 0], [7, 9]]);
  });

  it('takes a column named by idColumn, and fails when there is none', async () => {
    const text = digitCsv(rows, { labelled: false });
    expect((await read(withIds(text, 'sample', ['5', '6', '7']), { idColumn: 'sample' })).map((r) => r.id)).toEqual([5, 6, 7]);
    await expect(read(text, { idColumn: 'sample' })).rejects.toThrow(/train\.csv:1: header: no id column named 'sample'/);
  });

  it('names a bad or repeated id with its line and column', async () => {
    const text = digitCsv(rows, { labelled: false });
    await expect(read(withIds(text, 'id', ['1', 'x', '3']))).rejects.toThrow(/train\.csv:3: column id: 'x' is not an integer/);
    await expect(read(withIds(text, 'id', ['1', '-2', '3']))).rejects.toThrow(/train\.csv:3: column id: id -2 is outside 0–2147483647/);
    await expect(read(withIds(text, 'id', ['1', '2', '1']))).rejects.toThrow(/train\.csv:4: column id: duplicate id 1 \(first on line 2\)/);
  });
});

describe('readDigits: a headerless file', () => {
  const headerless = (text: string): string => text.slice(text.indexOf('\n') + 1);

  it('reads a label then 784 pixels, or the pixels alone, with the line numbers as ids', async () => {
    const labelled = await read(headerless(digitCsv(rows)), { header: false });
    expect(labelled).toEqual((await read(digitCsv(rows))).map((r) => ({ ...r, id: r.id })));
    expect(labelled.map((r) => r.id)).toEqual([1, 2, 3]);
    const unlabelled = await read(headerless(digitCsv(rows, { labelled: false })), { header: false });
    expect(unlabelled.map((r) => [r.id, r.label])).toEqual([[1, undefined], [2, undefined], [3, undefined]]);
    // no line end on the only line
    expect(await read(headerless(digitCsv(rows.slice(0, 1), { finalEol: false })), { header: false })).toHaveLength(1);
  });

  it('names a line with the wrong number of fields, and a file of the wrong kind', async () => {
    await expect(read('1,2,3\n', { header: false })).rejects.toThrow(/train\.csv:1: line 1 has 3 fields: neither 2 nor 3 pixel values make a square image .*; give the size/);
    await expect(read('1,2,3\n', { header: false, size: '28x28' })).rejects.toThrow(/train\.csv:1: line 1 has 3 fields; 28x28 images need 785 \(a label, then 784 pixels\) or 784/);
    await expect(read(headerless(digitCsv(rows, { labelled: false })), { header: false, expect: 'labelled' })).rejects.toThrow(/expected a labelled file: 785 fields on a line \(a label, then 28x28 pixels\), found 784/);
    const text = headerless(digitCsv(rows)).split('\n');
    text[1] = text[1].slice(0, text[1].lastIndexOf(','));
    await expect(read(text.join('\n'), { header: false })).rejects.toThrow(/train\.csv:2: expected 785 fields, found 784/);
    expect(() => readDigits('x.csv', { header: false, idColumn: 'id' })).toThrow(/idColumn needs a header/);
  });
});
