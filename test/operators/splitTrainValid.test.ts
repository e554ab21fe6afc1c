import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { splitTrainValid, type SplitOptions, type SplitRecord } from '../../lib/operators/splitTrainValid.ts';
import type { DigitRecord } from '../../lib/types.ts';
import { randomRecords } from '../data/fixtures.ts';

/** Labels only matter to the split, so records share one pixel array. */
function labelledRecords(labels: number[]): DigitRecord[] {
  const pixels = new Uint8Array(784);
  return labels.map((label, i) => ({ id: i + 1, label, pixels }));
}

async function validIds(records: DigitRecord[], options?: SplitOptions): Promise<number[]> {
  const tagged = await lastValueFrom(from(records).pipe(splitTrainValid(options), toArray()));
  return tagged.filter((t) => t.part === 'valid').map((t) => t.record.id);
}

describe('splitTrainValid', () => {
  // Uneven classes, in an order with long runs, as a sorted file would have.
  const labels = Array.from({ length: 2000 }, (_, i) => Math.min(9, Math.floor((i * i) / 400_000)));
  const records = labelledRecords(labels);

  it.each([0.2, 0.1, 0.37])('keeps every label within one record of validFraction = %s', async (fraction) => {
    const valid = new Set(await validIds(records, { validFraction: fraction, seed: 3 }));
    for (let label = 0; label < 10; label++) {
      const ofLabel = records.filter((r) => r.label === label);
      const inValid = ofLabel.filter((r) => valid.has(r.id)).length;
      expect(Math.abs(inValid - fraction * ofLabel.length)).toBeLessThan(1);
    }
  });

  it('keeps the share within one record at every point of the stream, not only at the end', async () => {
    const tagged = await lastValueFrom(from(records).pipe(splitTrainValid(), toArray()));
    const seen = new Map<number, { n: number; v: number }>();
    for (const { part, record } of tagged) {
      const c = seen.get(record.label!) ?? { n: 0, v: 0 };
      c.n++;
      if (part === 'valid') c.v++;
      seen.set(record.label!, c);
      expect(Math.abs(c.v - 0.2 * c.n)).toBeLessThan(1);
    }
  });

  it('is random within the band, not every fifth record', async () => {
    const valid = await validIds(labelledRecords(new Array(500).fill(1)));
    const gaps = new Set(valid.slice(1).map((id, i) => id - valid[i]));
    expect(gaps.size).toBeGreaterThan(2);
  });

  it('gives the same split for the same seed and another for another seed', async () => {
    const first = await validIds(records, { seed: 20742 });
    expect(await validIds(records)).toEqual(first); // 20742 is the default
    expect(await validIds(records, { seed: 1 })).not.toEqual(first);
  });

  it('replays the same split on each subscription', async () => {
    const split$: Observable<SplitRecord<DigitRecord>> = from(records).pipe(splitTrainValid({ seed: 8 }));
    const once = await lastValueFrom(split$.pipe(toArray()));
    const twice = await lastValueFrom(split$.pipe(toArray()));
    expect(twice.map((t) => t.part)).toEqual(once.map((t) => t.part));
  });

  it('without stratify keeps the overall share within one record', async () => {
    const mixed = randomRecords(333, 5);
    const valid = await validIds(mixed, { stratify: false, validFraction: 0.25 });
    expect(Math.abs(valid.length - 0.25 * mixed.length)).toBeLessThan(1);
  });

  it('rejects validFraction outside (0, 1) and a bad seed, naming the parameter', () => {
    for (const validFraction of [0, 1, -0.2, 1.5, Number.NaN]) {
      expect(() => splitTrainValid({ validFraction })).toThrow(/splitTrainValid: validFraction must be a number in \(0, 1\)/);
    }
    expect(() => splitTrainValid({ seed: 0.5 })).toThrow(/splitTrainValid: seed must be an integer/);
  });
});
