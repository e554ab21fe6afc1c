import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { readImageHeader, readImages, type ReadImagesOptions } from '../../lib/io/digits.ts';
import { LabelMap } from '../../lib/io/labels.ts';
import { imageCsv, learnableRows, planarRows, writeCsv, type ImageRow } from '../helpers/imageCsv.ts';
import { tempDir } from '../helpers/files.ts';

async function fileWith(text: string, name = 'train.csv'): Promise<string> {
  return writeCsv(await tempDir(), name, text);
}

async function read(text: string, options: ReadImagesOptions = {}) {
  return lastValueFrom(readImages(await fileWith(text), options).pipe(toArray()));
}

const grey14 = { width: 14, height: 14, channels: 1 };
const rgb32 = { width: 32, height: 32, channels: 3 };

describe('readImages: sizes', () => {
  it('takes 196 pixel columns as 14x14 grey, 1,024 as 32x32 grey and 3,072 as 32x32 RGB, and says so in onHeader', async () => {
    for (const size of [grey14, { width: 32, height: 32, channels: 1 }, rgb32]) {
      const rows = learnableRows(4, size, [0, 1]);
      let header: unknown;
      const records = await read(imageCsv(rows, { start: 1 }), { onHeader: (h) => (header = h) });
      expect(header).toMatchObject({ labelled: true, size });
      expect(records).toHaveLength(4);
      records.forEach((r, i) => expect(Array.from(r.pixels)).toEqual(rows[i].pixels));
    }
  });

  it('reads a size given as an option, and refuses a count that is neither a square nor three squares without one', async () => {
    const size = { width: 30, height: 20, channels: 1 };
    const text = imageCsv(learnableRows(3, size, [0, 1]));
    await expect(read(text)).rejects.toThrow(/train\.csv:1: header: 600 pixel columns are neither a square image .*; give the size \(--size WxH or WxHx3\)/);
    const records = await read(text, { size: '30x20' });
    expect(records[0].pixels).toHaveLength(600);
    await expect(read(text, { size: { width: 28, height: 28, channels: 1 } })).rejects.toThrow(/train\.csv:1: column 602: header: unexpected extra column|missing column/);
  });

  it('turns planar RGB rows (all red, then green, then blue) into interleaved records', async () => {
    const size = { width: 4, height: 4, channels: 3 };
    const interleaved = learnableRows(3, size, ['a', 'b', 'c']);
    const planar = planarRows(interleaved, size);
    const records = await read(imageCsv(planar), { size: '4x4x3', channelOrder: 'planar', labels: new LabelMap() });
    records.forEach((r, i) => expect(Array.from(r.pixels)).toEqual(interleaved[i].pixels));
  });

  it('finds the size of a headerless file from its field count, with or without labels', async () => {
    const rows = learnableRows(3, grey14, [5, 7]);
    const labelled = await read(imageCsv(rows, { header: false }), { header: false });
    expect(labelled.map((r) => r.label)).toEqual([5, 7, 5]);
    expect(labelled.map((r) => r.id)).toEqual([1, 2, 3]);
    const unlabelled = await read(imageCsv(rows.map((r) => ({ pixels: r.pixels })), { header: false }), { header: false });
    expect(unlabelled[0]).not.toHaveProperty('label');
    expect(unlabelled[0].pixels).toHaveLength(196);
  });

  it('reads large images (512x512) row by row, each record its own pixels', async () => {
    const rows = [0, 1, 2].map((k) => ({ label: k, pixels: Array.from({ length: 512 * 512 }, (_, p) => (p * (k + 3)) % 251) }));
    const records = await read(imageCsv(rows));
    expect(records.map((r) => r.pixels.length)).toEqual([262_144, 262_144, 262_144]);
    records.forEach((r, i) => expect(Array.from(r.pixels)).toEqual(rows[i].pixels));
  });

  it('reads only the first line for readImageHeader', async () => {
    const file = await fileWith(imageCsv(learnableRows(3, rgb32, [0, 1]), { idColumn: 'id' }).replace(/\n[^\n]*\n$/, '\nbroken,row\n'));
    expect(await readImageHeader(file)).toEqual({ labelled: true, size: rgb32, idColumn: 'id', pixelColumns: ['pixel0', 'pixel3071'] });
  });
});

describe('readImages: labels', () => {
  it('maps integer labels from any set, and names, through a growing LabelMap in order of first appearance', async () => {
    const labels = new LabelMap();
    const rows = learnableRows(6, grey14, [24, 3, 0]);
    const records = await read(imageCsv(rows), { labels });
    expect(records.map((r) => r.label)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(labels.labels).toEqual(['24', '3', '0']);

    const names = new LabelMap();
    const named = await read(imageCsv(learnableRows(4, grey14, ['Ankle boot, left', 'bag'])), { labels: names });
    expect(named.map((r) => r.label)).toEqual([0, 1, 0, 1]);
    expect(names.labels).toEqual(['Ankle boot, left', 'bag']);
  });

  it('refuses a label outside fixed classes, naming file, line and column', async () => {
    const text = imageCsv(learnableRows(4, grey14, ['cat', 'dog', 'cat', 'emu']));
    await expect(read(text, { classes: ['cat', 'dog'] })).rejects.toThrow(/train\.csv:5: column label: label 'emu' is not one of the 2 classes \(cat, dog\)/);
    const records = await read(text.replace(/emu/, 'dog'), { classes: ['dog', 'cat'] });
    expect(records.map((r) => r.label)).toEqual([1, 0, 1, 0]);
  });

  it('adds no class for a row it skips', async () => {
    const rows = learnableRows(3, grey14, [1, 2, 3]);
    rows[2].pixels[5] = 300;
    const labels = new LabelMap();
    const skipped: unknown[] = [];
    const records = await read(imageCsv(rows), { labels, onInvalid: 'skip', onSkipped: (r) => skipped.push(r) });
    expect(records).toHaveLength(2);
    expect(labels.labels).toEqual(['1', '2']);
    expect(skipped).toHaveLength(1);
  });

  it('keeps 007 and 7 as one class', async () => {
    const labels = new LabelMap();
    const rows = learnableRows(2, grey14, [7, 7]);
    const text = imageCsv(rows).replace('\n7,', '\n007,');
    const records = await read(text, { labels });
    expect(records.map((r) => r.label)).toEqual([0, 0]);
    expect(labels.labels).toEqual(['7']);
  });
});
