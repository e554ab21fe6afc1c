import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { normalize } from '../../lib/operators/normalize.ts';
import { MNIST_FORMAT } from '../../lib/data/format.ts';
import { randomRecords } from '../data/fixtures.ts';

describe('normalize', () => {
  it('scales grey levels to Float32 in 0–1 and keeps id and label', async () => {
    const records = [...randomRecords(3, 2), ...randomRecords(1, 3, false)];
    const out = await lastValueFrom(from(records).pipe(normalize(), toArray()));
    out.forEach((digit, i) => {
      expect(digit.pixels).toBeInstanceOf(Float32Array);
      expect(Array.from(digit.pixels)).toEqual(Array.from(records[i].pixels, (v) => Math.fround(v / 255)));
      expect(digit.id).toBe(records[i].id);
      expect(digit.label).toBe(records[i].label);
    });
    expect('label' in out[3]).toBe(false);
  });

  it('fails with an error naming the record and the field for 783 pixels of a 28x28 format', async () => {
    const bad = { id: 9, label: 4, pixels: new Uint8Array(783) };
    await expect(lastValueFrom(from([bad]).pipe(normalize(MNIST_FORMAT)))).rejects.toThrow(
      /normalize: record 9: pixels has 783 values, expected 784/,
    );
  });
});
