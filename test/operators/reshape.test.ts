import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { reshape } from '../../lib/operators/reshape.ts';
import { DigitDataset, disposeBatch } from '../../lib/data/dataset.ts';
import type { InputShape } from '../../lib/types.ts';
import { liveTensors, randomRecords } from '../data/fixtures.ts';

describe('reshape', () => {
  const dataset = DigitDataset.fromRecords(randomRecords(10, 4));

  it('switches xs between flat and image shapes, same values, old tensor freed', async () => {
    const before = liveTensors();
    const cases: [InputShape, InputShape, number[]][] = [
      ['flat', 'image', [4, 28, 28, 1]],
      ['image', 'flat', [4, 784]],
      ['flat', 'flat', [4, 784]],
    ];
    for (const [from, to, expected] of cases) {
      const reference = await lastValueFrom(dataset.batches({ batchSize: 4, shape: from }).pipe(toArray()));
      const reshaped = await lastValueFrom(dataset.batches({ batchSize: 4, shape: from }).pipe(reshape(to), toArray()));
      expect(reshaped[0].xs.shape).toEqual(expected);
      expect(reshaped[2].xs.shape[0]).toBe(2);
      expect(reshaped[1].xs.dataSync()).toEqual(reference[1].xs.dataSync());
      [...reference, ...reshaped].forEach(disposeBatch);
    }
    expect(liveTensors()).toBe(before);
  });

  it('names a bad shape and a batch that is not made of 784-pixel images', async () => {
    expect(() => reshape('square' as InputShape)).toThrow(/reshape: shape must be 'flat' or 'image'/);
    const xs = tf.zeros([2, 10]);
    await expect(lastValueFrom(of({ xs, ids: new Int32Array(2) }).pipe(reshape('image')))).rejects.toThrow(
      /reshape: xs has shape \[2, 10\]/,
    );
    expect(xs.isDisposed).toBe(true);
  });
});
