import { describe, expect, it } from 'vitest';
import { Observable, firstValueFrom, forkJoin, from, lastValueFrom, toArray } from 'rxjs';
import { partitionTrainValid } from '../../lib/operators/partitionTrainValid.ts';
import { splitTrainValid } from '../../lib/operators/splitTrainValid.ts';
import { toDataset } from '../../lib/operators/toDataset.ts';
import type { DigitRecord } from '../../lib/types.ts';
import { randomRecords } from '../data/fixtures.ts';

const records = randomRecords(120, 14);

function counted(values: DigitRecord[]): { source: Observable<DigitRecord>; subscriptions: () => number } {
  let subscriptions = 0;
  const source = new Observable<DigitRecord>((subscriber) => {
    subscriptions++;
    for (const value of values) subscriber.next(value);
    subscriber.complete();
  });
  return { source, subscriptions: () => subscriptions };
}

describe('partitionTrainValid', () => {
  it('gives the same parts as the tagged split, from one subscription to the source', async () => {
    const { source, subscriptions } = counted(records);
    const [train$, valid$] = partitionTrainValid(source, { seed: 3 });
    const [train, valid] = await firstValueFrom(forkJoin([train$.pipe(toArray()), valid$.pipe(toArray())]));
    expect(subscriptions()).toBe(1);
    const tagged = await lastValueFrom(from(records).pipe(splitTrainValid({ seed: 3 }), toArray()));
    expect(train.map((r) => r.id)).toEqual(tagged.filter((t) => t.part === 'train').map((t) => t.record.id));
    expect(valid.map((r) => r.id)).toEqual(tagged.filter((t) => t.part === 'valid').map((t) => t.record.id));
  });

  it('waits for both parts before starting the source, and starts again for the next pair', async () => {
    const { source, subscriptions } = counted(records);
    const [train$, valid$] = partitionTrainValid(source);
    const seen: number[] = [];
    const lone = train$.subscribe((r) => seen.push(r.id));
    expect(subscriptions()).toBe(0);
    lone.unsubscribe();
    const [train, valid] = await firstValueFrom(forkJoin([train$.pipe(toDataset()), valid$.pipe(toDataset())]));
    const again = await firstValueFrom(forkJoin([train$.pipe(toArray()), valid$.pipe(toArray())]));
    expect(seen).toEqual([]);
    expect(subscriptions()).toBe(2);
    expect(train.size + valid.size).toBe(records.length);
    expect(again[1].map((r) => r.id)).toEqual(Array.from(valid.ids));
  });

  it('passes the source error to both parts and checks options at once', async () => {
    const failing = new Observable<DigitRecord>((subscriber) => subscriber.error(new Error('bad file')));
    const [train$, valid$] = partitionTrainValid(failing);
    await expect(firstValueFrom(forkJoin([train$, valid$]))).rejects.toThrow('bad file');
    expect(() => partitionTrainValid(from(records), { validFraction: 2 })).toThrow(/validFraction/);
  });
});
