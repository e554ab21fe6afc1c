import { describe, expect, it } from 'vitest';
import { lastValueFrom, range, take, tap, toArray } from 'rxjs';
import { shuffle, type ShuffleOptions } from '../../lib/operators/shuffle.ts';

const shuffled = (n: number, options: ShuffleOptions): Promise<number[]> =>
  lastValueFrom(range(0, n).pipe(shuffle(options), toArray()));

describe('shuffle', () => {
  it('emits every value once, in a seeded order', async () => {
    const first = await shuffled(500, { seed: 1, windowSize: 64 });
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(first).not.toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(await shuffled(500, { seed: 1, windowSize: 64 })).toEqual(first);
    expect(await shuffled(500, { seed: 2, windowSize: 64 })).not.toEqual(first);
  });

  it('moves values no earlier than the window allows', async () => {
    const windowSize = 16;
    const out = await shuffled(400, { seed: 3, windowSize });
    // A value can only come out once it has arrived: at output position i, at most i + windowSize values have.
    out.forEach((value, i) => expect(value).toBeLessThanOrEqual(i + windowSize));
  });

  it('stops pulling from the source when unsubscribed', async () => {
    let pulled = 0;
    const counted = range(0, 10_000).pipe(tap(() => pulled++));
    await lastValueFrom(counted.pipe(shuffle({ windowSize: 10 }), take(5)));
    expect(pulled).toBeLessThan(100);
  });

  it('rejects a bad windowSize or seed, naming it', () => {
    expect(() => shuffle({ windowSize: 0 })).toThrow(/shuffle: windowSize must be an integer >= 1, got 0/);
    expect(() => shuffle({ seed: Number.POSITIVE_INFINITY })).toThrow(/shuffle: seed must be an integer/);
  });
});
