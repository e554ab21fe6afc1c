import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, take, toArray } from 'rxjs';
import { batch } from '../../lib/operators/batch.ts';
import { normalize } from '../../lib/operators/normalize.ts';
import { disposeBatch } from '../../lib/data/dataset.ts';
import { CLASSES, PIXELS, type DigitRecord } from '../../lib/types.ts';
import { liveTensors, randomRecords } from '../data/fixtures.ts';

describe('batch', () => {
  const records = randomRecords(10, 6);

  it('groups records into tensors: xs in 0–1, one-hot ys, ids, last partial batch kept', async () => {
    const before = liveTensors();
    const batches = await lastValueFrom(from(records).pipe(batch(4), toArray()));
    expect(batches.map((b) => b.xs.shape)).toEqual([[4, PIXELS], [4, PIXELS], [2, PIXELS]]);
    expect(Array.from(batches[2].ids)).toEqual([9, 10]);
    const xs = batches[1].xs.dataSync();
    expect(Array.from(xs.subarray(0, PIXELS))).toEqual(Array.from(records[4].pixels, (v) => Math.fround(v / 255)));
    const ys = batches[0].ys!.dataSync();
    records.slice(0, 4).forEach((r, i) => expect(ys.subarray(i * CLASSES, (i + 1) * CLASSES).indexOf(1)).toBe(r.label));
    batches.forEach(disposeBatch);
    expect(liveTensors()).toBe(before);
  });

  it('takes normalized records alike, drops a partial batch on request, shapes images', async () => {
    const raw = await lastValueFrom(from(records).pipe(batch(3), toArray()));
    const scaled = await lastValueFrom(
      from(records).pipe(normalize(), batch(3, { dropRemainder: true, shape: 'image' }), toArray()),
    );
    expect(scaled.length).toBe(3);
    expect(scaled[0].xs.shape).toEqual([3, 28, 28, 1]);
    expect(scaled[2].xs.dataSync()).toEqual(raw[2].xs.dataSync());
    [...raw, ...scaled].forEach(disposeBatch);
  });

  it('gives no ys for unlabelled records and makes no tensors after an unsubscribe', async () => {
    const before = liveTensors();
    const batches = await lastValueFrom(from(randomRecords(9, 1, false)).pipe(batch(2), take(2), toArray()));
    expect(batches.length).toBe(2);
    expect(batches[0].ys).toBeUndefined();
    batches.forEach(disposeBatch);
    expect(liveTensors()).toBe(before);
  });

  it('fails clearly on a bad size, a short record or mixed labelling', async () => {
    expect(() => batch(0)).toThrow(/batch: size must be an integer >= 1, got 0/);
    const short: DigitRecord = { id: 3, pixels: new Uint8Array(783) };
    await expect(lastValueFrom(from([short]).pipe(batch(2)))).rejects.toThrow(/batch: record 3: pixels has 783 values/);
    const unlabelled: DigitRecord = { id: 4, pixels: records[0].pixels };
    await expect(lastValueFrom(from([records[0], unlabelled]).pipe(batch(2)))).rejects.toThrow(
      /batch: record 4: labelled and unlabelled/,
    );
  });
});

describe('batch: normalized pixels outside 0–1', () => {
  it.each([
    ['a raw grey level', 300],
    ['NaN', Number.NaN],
    ['a negative value', -0.5],
  ])('refuses %s before it becomes a tensor', async (_, value) => {
    const pixels = new Float32Array(PIXELS).fill(0.5);
    pixels[7] = value;
    const before = liveTensors();
    await expect(lastValueFrom(from([{ id: 1, label: 2, pixels }]).pipe(batch(4), toArray()))).rejects.toThrow(
      `batch: record 1: pixel 7 is ${value}, expected a value in 0–1`,
    );
    expect(liveTensors()).toBe(before);
  });
});
