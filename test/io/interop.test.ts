import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import { defer, filter, finalize, interval, from, lastValueFrom, map, pipe, take, throwError, toArray, concat, of } from 'rxjs';
import { fromAsyncIterable, fromReadable, pipelineStage, toAsyncIterable } from '../../lib/io/interop.ts';
import { normalize } from '../../lib/operators/normalize.ts';
import { splitTrainValid } from '../../lib/operators/splitTrainValid.ts';
import type { DigitRecord } from '../../lib/types.ts';
import { randomRecords } from '../data/fixtures.ts';

const records = randomRecords(40, 12);

/** The valid part of a normalized split, reduced to id and mean grey level: a chain of several stages. */
const validMeans = pipe(
  normalize(),
  splitTrainValid({ seed: 5 }),
  filter((t) => t.part === 'valid'),
  map(({ record }) => ({ id: record.id, mean: record.pixels.reduce((a, b) => a + b) / record.pixels.length })),
);

describe('interop', () => {
  it('runs an operator chain inside a Node stream.pipeline, with the same result as in RxJS', async () => {
    const written: unknown[] = [];
    await pipeline(
      Readable.from(records),
      pipelineStage(validMeans),
      new Writable({
        objectMode: true,
        write(chunk, _encoding, done) {
          written.push(chunk);
          done();
        },
      }),
    );
    const expected = await lastValueFrom(from(records).pipe(validMeans, toArray()));
    expect(written.length).toBeGreaterThan(0);
    expect(written).toEqual(expected);
  });

  it('holds the source back while a slow consumer catches up', async () => {
    let pulled = 0;
    let consumed = 0;
    let maxLead = 0;
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 300; i++) {
        pulled++;
        yield i;
      }
    }
    const stage = pipelineStage(map((n: number) => n * 2), 8);
    for await (const value of stage(numbers())) {
      expect(value).toBe(consumed * 2);
      consumed++;
      maxLead = Math.max(maxLead, pulled - consumed);
      await tick();
    }
    expect(consumed).toBe(300);
    expect(maxLead).toBeLessThanOrEqual(10);
  });

  it('reads a Node Readable as an Observable and destroys it on unsubscribe', async () => {
    const all = await lastValueFrom(fromReadable<DigitRecord>(Readable.from(records)).pipe(normalize(), toArray()));
    expect(all.map((d) => d.id)).toEqual(records.map((r) => r.id));

    const stream = Readable.from(records);
    const two = await lastValueFrom(fromReadable<DigitRecord>(stream).pipe(take(2), toArray()));
    expect(two.length).toBe(2);
    expect(stream.destroyed).toBe(true);

    const failing = new Readable({ objectMode: true, read() { this.destroy(new Error('disk gone')); } });
    await expect(lastValueFrom(fromReadable(failing))).rejects.toThrow(/disk gone/);
  });

  it('pulls from an async iterable and returns the iterator as soon as it is unsubscribed', async () => {
    let closed = false;
    let pulled = 0;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    expect(await lastValueFrom(fromAsyncIterable(endless()).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    await tick();
    expect(closed).toBe(true);
    expect(pulled).toBeLessThanOrEqual(4);
  });

  it('drains an Observable with for-await: values, then its error; leaving early unsubscribes', async () => {
    const seen: number[] = [];
    const failing = concat(of(1, 2), throwError(() => new Error('boom')));
    await expect(
      (async () => {
        for await (const value of toAsyncIterable(failing)) seen.push(value);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);

    let subscribed = false;
    const never = toAsyncIterable(defer(() => ((subscribed = true), of(1))));
    await never.return!();
    expect(await never.next()).toEqual({ value: undefined, done: true });
    expect(subscribed).toBe(false);

    let finalized = false;
    for await (const value of toAsyncIterable(interval(1).pipe(finalize(() => (finalized = true))))) {
      if (value === 2) break;
    }
    expect(finalized).toBe(true);
  });
});
