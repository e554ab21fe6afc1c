import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, map, of, take, toArray } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { augment } from '../../lib/operators/augment.ts';
import { batch } from '../../lib/operators/batch.ts';
import { reshape } from '../../lib/operators/reshape.ts';
import { DigitDataset, disposeBatch } from '../../lib/data/dataset.ts';
import { DEFAULT_JITTER, jitterImages, jitterLimits, randomJitter } from '../../lib/data/affine.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { PIXELS, type Batch, type NormalizedDigit } from '../../lib/types.ts';
import { blobImage, centreOfMass, liveTensors, randomRecords } from '../data/fixtures.ts';

const blobs: NormalizedDigit[] = Array.from({ length: 6 }, (_, i) => ({
  id: i + 1,
  label: i % 10,
  pixels: blobImage(11 + i, 16 - i),
}));

const xsOf = (batches: Batch[]): number[] => batches.flatMap((b) => Array.from(b.xs.dataSync()));

describe('augment', () => {
  it("shifts each digit: its centre of mass moves by the seed's draw, within maxShiftPx, mass kept", async () => {
    const limits = { ...DEFAULT_JITTER, maxShiftPx: 3, maxRotateDeg: 0, maxZoom: 0 };
    const out = await lastValueFrom(from(blobs).pipe(augment({ ...limits, seed: 4 }), toArray()));
    const draws = seededRandom(4);
    const moves = out.map((digit, i) => {
      const expected = randomJitter(draws, limits);
      const before = centreOfMass(blobs[i].pixels);
      const after = centreOfMass(digit.pixels);
      expect(after.mass).toBeCloseTo(before.mass, 3);
      expect(after.x - before.x).toBeCloseTo(expected.shiftX, 4);
      expect(after.y - before.y).toBeCloseTo(expected.shiftY, 4);
      return [after.x - before.x, after.y - before.y];
    });
    for (const [dx, dy] of moves) {
      expect(Math.abs(dx)).toBeLessThanOrEqual(3);
      expect(Math.abs(dy)).toBeLessThanOrEqual(3);
    }
    expect(new Set(moves.map(([dx]) => dx.toFixed(3))).size).toBe(blobs.length);
  });

  it('jitters batches the same way as records, keeping the shape and freeing the old xs', async () => {
    const before = liveTensors();
    const options = { seed: 9 };
    const perRecord = await lastValueFrom(from(blobs).pipe(augment(options), batch(3), toArray()));
    const perBatch = await lastValueFrom(from(blobs).pipe(batch(3, { shape: 'image' }), augment(options), toArray()));
    expect(perBatch[0].xs.shape).toEqual([3, 28, 28, 1]);
    expect(xsOf(perBatch)).toEqual(xsOf(perRecord));
    [...perRecord, ...perBatch].forEach(disposeBatch);
    expect(liveTensors()).toBe(before);
  });

  it('bends records and batches alike with maxElasticPx, as jitterImages does with the same draws', async () => {
    const before = liveTensors();
    const options = { maxShiftPx: 0, maxRotateDeg: 0, maxZoom: 0, maxElasticPx: 2, elasticGridPx: 4, seed: 11 };
    const records = await lastValueFrom(from(blobs).pipe(augment(options), toArray()));
    const draws = seededRandom(11);
    const limits = jitterLimits('test', options);
    records.forEach((record, i) => {
      const expected = Float32Array.from(blobs[i].pixels);
      jitterImages(expected, 1, draws, limits);
      expect(Array.from(record.pixels)).toEqual(Array.from(expected));
      expect(Array.from(record.pixels)).not.toEqual(Array.from(blobs[i].pixels));
    });
    const perBatch = await lastValueFrom(from(blobs).pipe(batch(3, { shape: 'image' }), augment(options), toArray()));
    expect(xsOf(perBatch)).toEqual(records.flatMap((r) => Array.from(r.pixels)));
    perBatch.forEach(disposeBatch);
    expect(liveTensors()).toBe(before);
  });

  it('is deterministic for a seed, different for another, and replays on resubscription', async () => {
    const dataset = DigitDataset.fromRecords(randomRecords(12, 8));
    const run = (seed: number): Promise<number[]> =>
      lastValueFrom(
        dataset.batches({ batchSize: 5 }).pipe(
          augment({ seed }),
          map((b) => {
            const xs = Array.from(b.xs.dataSync());
            disposeBatch(b);
            return xs;
          }),
          toArray(),
          map((parts) => parts.flat()),
        ),
      );
    const first = await run(1);
    expect(await run(1)).toEqual(first);
    expect(await run(2)).not.toEqual(first);
  });

  it('leaves no tensors behind when a chain of batch stages is unsubscribed mid-epoch', async () => {
    const dataset = DigitDataset.fromRecords(randomRecords(40, 2));
    const before = liveTensors();
    const taken = await lastValueFrom(
      dataset.batches({ batchSize: 8 }).pipe(reshape('image'), augment({ seed: 1 }), take(2), toArray()),
    );
    expect(taken.length).toBe(2);
    taken.forEach(disposeBatch);
    expect(liveTensors()).toBe(before);
  });

  it('keeps raw records as bytes', async () => {
    const [digit] = await lastValueFrom(from(randomRecords(1, 3)).pipe(augment(), toArray()));
    expect(digit.pixels).toBeInstanceOf(Uint8Array);
    expect(digit.pixels.length).toBe(PIXELS);
  });

  it('names a bad parameter', () => {
    expect(() => augment({ maxShiftPx: 30 })).toThrow(/augment: maxShiftPx must be a number in \[0, 28\)/);
    expect(() => augment({ maxZoom: -0.1 })).toThrow(/augment: maxZoom/);
  });

  it('fails clearly on a batch that is not made of 784-pixel images, freeing it', async () => {
    const xs = tf.zeros([2, 10]);
    await expect(lastValueFrom(of({ xs, ids: new Int32Array(2) }).pipe(augment()))).rejects.toThrow(
      /augment: xs has shape \[2, 10\], not 2 images of 784 values/,
    );
    expect(xs.isDisposed).toBe(true);
  });
});
