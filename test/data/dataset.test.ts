import { describe, expect, it } from 'vitest';
import { take, toArray, firstValueFrom, lastValueFrom } from 'rxjs';
import { CLASSES, PIXELS, type Batch } from '../../lib/types.ts';
import { DigitDataset, disposeBatch, type BatchOptions } from '../../lib/data/dataset.ts';
import { liveTensors, randomRecords } from './fixtures.ts';

const records = randomRecords(50, 11);
const dataset = DigitDataset.fromRecords(records);

/** One epoch read back to plain arrays, its tensors disposed. */
async function epoch(options: BatchOptions): Promise<{ sizes: number[]; ids: number[]; xs: number[]; ys: number[] }> {
  const batches = await lastValueFrom(dataset.batches(options).pipe(toArray()));
  const out = { sizes: [] as number[], ids: [] as number[], xs: [] as number[], ys: [] as number[] };
  for (const batch of batches) {
    out.sizes.push(batch.xs.shape[0]);
    out.ids.push(...batch.ids);
    out.xs.push(...batch.xs.dataSync());
    out.ys.push(...batch.ys!.dataSync());
    disposeBatch(batch);
  }
  return out;
}

describe('DigitDataset.fromRecords', () => {
  it('stores bytes, ids and labels in record order', () => {
    expect(dataset.size).toBe(50);
    expect(dataset.pixels.length).toBe(50 * PIXELS);
    expect(Array.from(dataset.ids)).toEqual(records.map((r) => r.id));
    expect(Array.from(dataset.labels!)).toEqual(records.map((r) => r.label));
    expect(dataset.record(7).pixels).toEqual(records[7].pixels);
  });

  it('names the record and the field when a record is bad', () => {
    const short = { id: 3, label: 1, pixels: new Uint8Array(783) };
    expect(() => DigitDataset.fromRecords([records[0], short])).toThrow(
      /record 3: pixels has 783 values, expected 784/,
    );
    expect(() => DigitDataset.fromRecords([{ ...records[0], label: 10 }])).toThrow(/label must be a class index 0–9/);
    expect(() => DigitDataset.fromRecords([records[0], { id: 2, pixels: records[1].pixels }])).toThrow(
      /record 2: label is missing/,
    );
  });
});

describe('DigitDataset.batches', () => {
  it('gives xs in 0–1 and one-hot ys, keeping the last partial batch', async () => {
    const { sizes, ids, xs, ys } = await epoch({ batchSize: 16 });
    expect(sizes).toEqual([16, 16, 16, 2]);
    expect(ids).toEqual(records.map((r) => r.id));
    expect(xs.slice(PIXELS, 2 * PIXELS)).toEqual(Array.from(records[1].pixels, (v) => Math.fround(v / 255)));
    records.forEach((r, i) => {
      const row = ys.slice(i * CLASSES, (i + 1) * CLASSES);
      expect(row.indexOf(1)).toBe(r.label);
      expect(row.reduce((a, b) => a + b)).toBe(1);
    });
  });

  it('drops the last partial batch on request and shapes images for a CNN', async () => {
    const batches = await lastValueFrom(
      dataset.batches({ batchSize: 16, dropRemainder: true, shape: 'image' }).pipe(toArray()),
    );
    expect(batches.map((b) => b.xs.shape)).toEqual([[16, 28, 28, 1], [16, 28, 28, 1], [16, 28, 28, 1]]);
    expect(dataset.batchCount({ batchSize: 16, dropRemainder: true })).toBe(3);
    batches.forEach(disposeBatch);
  });

  it('shuffles an epoch by its seed: same seed same order, another seed another order, all rows once', async () => {
    const first = await epoch({ batchSize: 8, shuffle: true, seed: 4 });
    const again = await epoch({ batchSize: 8, shuffle: true, seed: 4 });
    const other = await epoch({ batchSize: 8, shuffle: true, seed: 5 });
    expect(again.ids).toEqual(first.ids);
    expect(other.ids).not.toEqual(first.ids);
    expect([...first.ids].sort((a, b) => a - b)).toEqual(records.map((r) => r.id));
    expect(first.ids).not.toEqual(records.map((r) => r.id));
  });

  it('augments by the epoch seed: same seed same images, another seed other images, same order as without', async () => {
    const augment = { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 };
    const plain = await epoch({ batchSize: 20, shuffle: true, seed: 1 });
    const first = await epoch({ batchSize: 20, shuffle: true, seed: 1, augment });
    const again = await epoch({ batchSize: 20, shuffle: true, seed: 1, augment });
    const other = await epoch({ batchSize: 20, shuffle: true, seed: 2, augment });
    expect(again.xs).toEqual(first.xs);
    expect(first.xs).not.toEqual(plain.xs);
    expect(other.xs).not.toEqual(first.xs);
    expect(first.ids).toEqual(plain.ids);
    expect(Math.min(...first.xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first.xs)).toBeLessThanOrEqual(1);
  });

  it('replays the same epoch from one batchIterator', () => {
    const iterable = dataset.batchIterator({ batchSize: 32, shuffle: true, seed: 3 });
    const read = (): number[] => {
      const ids: number[] = [];
      for (const batch of iterable) {
        ids.push(...batch.ids);
        disposeBatch(batch);
      }
      return ids;
    };
    expect(read()).toEqual(read());
  });

  it('leaves no tensors behind after a full epoch, an unsubscribe mid-epoch, or a break', async () => {
    const before = liveTensors();
    await epoch({ batchSize: 7, augment: {} });
    expect(liveTensors()).toBe(before);

    const seen: Batch[] = [];
    dataset.batches({ batchSize: 7 }).pipe(take(2)).subscribe((b) => {
      seen.push(b);
      disposeBatch(b);
    });
    expect(seen.length).toBe(2);
    expect(liveTensors()).toBe(before);

    const first = await firstValueFrom(dataset.batches({ batchSize: 7 }));
    disposeBatch(first);
    expect(liveTensors()).toBe(before);

    for (const batch of dataset.batchIterator({ batchSize: 7 })) {
      disposeBatch(batch);
      break;
    }
    expect(liveTensors()).toBe(before);
  });

  it('rejects bad options naming the parameter', () => {
    expect(() => dataset.batches({ batchSize: 0 })).toThrow(/batches: batchSize must be an integer >= 1, got 0/);
    expect(() => dataset.batches({ batchSize: 2.5 })).toThrow(/batchSize/);
    expect(() => dataset.batches({ batchSize: 8, seed: Number.NaN })).toThrow(/batches: seed must be an integer/);
    expect(() => dataset.batches({ batchSize: 8, augment: { maxRotateDeg: 400 } })).toThrow(
      /batches: augment: maxRotateDeg/,
    );
    expect(() => DigitDataset.fromRecords([]).batches({ batchSize: 8 })).toThrow(/batches: the dataset is empty/);
  });
});

describe('DigitDataset.concat', () => {
  it('joins rows, ids and labels in order, and refuses to mix labelled and unlabelled data', () => {
    const a = DigitDataset.fromRecords([
      { id: 1, label: 3, pixels: new Uint8Array(784).fill(1) },
      { id: 2, label: 4, pixels: new Uint8Array(784).fill(2) },
    ]);
    const b = DigitDataset.fromRecords([{ id: 7, label: 9, pixels: new Uint8Array(784).fill(7) }]);
    const joined = DigitDataset.concat([a, b]);
    expect(joined.size).toBe(3);
    expect(Array.from(joined.ids)).toEqual([1, 2, 7]);
    expect(Array.from(joined.labels!)).toEqual([3, 4, 9]);
    expect([0, 1, 2].map((i) => joined.record(i).pixels[500])).toEqual([1, 2, 7]);
    const unlabelled = DigitDataset.fromRecords([{ id: 5, pixels: new Uint8Array(784) }]);
    expect(() => DigitDataset.concat([a, unlabelled])).toThrow(/cannot mix labelled and unlabelled/);
  });
});

describe('DigitDataset row arguments', () => {
  it('refuses rows outside the dataset instead of returning empty or id-0 records', () => {
    expect(() => dataset.record(50)).toThrow('ImageDataset.record: row 50 is outside 0–49 (the dataset has 50 rows)');
    expect(() => dataset.record(-1)).toThrow(/ImageDataset\.record: row -1 is outside/);
    expect(() => dataset.record(1.5)).toThrow(/ImageDataset\.record: row 1\.5 is outside/);
    expect(() => dataset.subset([0, -1])).toThrow(/ImageDataset\.subset: row -1 is outside 0–49/);
    expect(() => dataset.subset([999])).toThrow(/ImageDataset\.subset: row 999 is outside 0–49/);
    expect(dataset.subset([49, 0]).ids).toEqual(Int32Array.from([dataset.ids[49], dataset.ids[0]]));
  });
});
