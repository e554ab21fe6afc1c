import { describe, expect, it } from 'vitest';
import { EMPTY, Observable, firstValueFrom, from, lastValueFrom } from 'rxjs';
import { toDataset } from '../../lib/operators/toDataset.ts';
import { normalize } from '../../lib/operators/normalize.ts';
import { splitTrainValid } from '../../lib/operators/splitTrainValid.ts';
import type { DigitRecord, NormalizedDigit } from '../../lib/types.ts';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { randomRecords } from '../data/fixtures.ts';

describe('toDataset', () => {
  // More rows than the builder's first allocation, so that growing is exercised.
  const records = randomRecords(1500, 21);

  it('collects raw records into compact arrays, in order', async () => {
    const dataset: DigitDataset = await lastValueFrom(from(records).pipe(toDataset()));
    expect(dataset.size).toBe(1500);
    expect(dataset.pixels).toBeInstanceOf(Uint8Array);
    expect(dataset.pixels.length).toBe(1500 * 784);
    expect(dataset.record(1234).pixels).toEqual(records[1234].pixels);
    expect(Array.from(dataset.ids)).toEqual(records.map((r) => r.id));
    expect(Array.from(dataset.labels!)).toEqual(records.map((r) => r.label));
  });

  it('stores normalized records back as the same bytes', async () => {
    const normalized = await lastValueFrom(from(records).pipe(normalize(), toDataset()));
    const raw = await lastValueFrom(from(records).pipe(toDataset()));
    // Buffer.equals: a deep equality over 1.2 M elements would dominate the test's time.
    expect(Buffer.from(normalized.pixels).equals(Buffer.from(raw.pixels))).toBe(true);
    expect(normalized.size).toBe(raw.size);
  });

  it('gives train and valid datasets from one pass over a split stream', async () => {
    let subscriptions = 0;
    const source = new Observable<DigitRecord>((subscriber) => {
      subscriptions++;
      records.forEach((r) => subscriber.next(r));
      subscriber.complete();
    });
    const { train, valid } = await lastValueFrom(source.pipe(normalize(), splitTrainValid(), toDataset()));
    expect(subscriptions).toBe(1);
    expect(train.size + valid.size).toBe(records.length);
    expect(Math.abs(valid.size - 0.2 * records.length)).toBeLessThan(10);
    const ids = [...train.ids, ...valid.ids].sort((a, b) => a - b);
    expect(ids).toEqual(records.map((r) => r.id));
    const row = valid.ids[3] - 1;
    expect(valid.record(3).pixels).toEqual(records[row].pixels);
    expect(valid.labels![3]).toBe(records[row].label);
  });

  it('keeps unlabelled data unlabelled', async () => {
    const dataset = await firstValueFrom(from(randomRecords(5, 2, false)).pipe(toDataset()));
    expect(dataset.labelled).toBe(false);
  });

  it('fails clearly on an empty source, a short record, a mixed stream and pixels outside 0–1', async () => {
    await expect(lastValueFrom(EMPTY.pipe(toDataset()))).rejects.toThrow(/toDataset: the source emitted no records/);
    const short: DigitRecord = { id: 2, label: 1, pixels: new Uint8Array(783) };
    await expect(lastValueFrom(from([records[0], short]).pipe(toDataset()))).rejects.toThrow(
      /toDataset: record 2: pixels has 783 values, expected 784/,
    );
    const bright: NormalizedDigit = { id: 5, label: 1, pixels: new Float32Array(784).fill(3) };
    await expect(lastValueFrom(from([bright]).pipe(toDataset()))).rejects.toThrow(
      /record 5: pixel 0 is 3, expected a value in 0–1/,
    );
    const mixed = from<(DigitRecord | { part: 'train'; record: DigitRecord })[]>([records[0], { part: 'train', record: records[1] }]);
    await expect(lastValueFrom(mixed.pipe(toDataset()))).rejects.toThrow(/mixes records tagged/);
  });
});
