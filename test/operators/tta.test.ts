import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFormat } from '../../lib/data/format.ts';
import { shiftImages, TTA_SHIFTS } from '../../lib/data/shift.ts';
import { Cnn } from '../../lib/models/cnn.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import { concatPredictions, predict } from '../../lib/operators/predict.ts';
import { mnistRows, randomImages, useTestBackend } from '../models/fixtures.ts';

beforeAll(useTestBackend);

describe('shiftImages', () => {
  it('moves whole pixels right / down (and back), filling the uncovered border with 0', () => {
    // one 3x2 two-channel image whose values name their row, column and channel
    const values = [...Array(12).keys()].map((i) => i + 1);
    const xs = tf.tensor4d(values, [1, 2, 3, 2]);
    const at = (t: tf.Tensor4D): number[][][] => (t.arraySync() as number[][][][])[0];
    const right = shiftImages(xs, { dx: 1, dy: 0 });
    expect(at(right)).toEqual([
      [[0, 0], [1, 2], [3, 4]],
      [[0, 0], [7, 8], [9, 10]],
    ]);
    const up = shiftImages(xs, { dx: -2, dy: -1 });
    expect(at(up)).toEqual([
      [[11, 12], [0, 0], [0, 0]],
      [[0, 0], [0, 0], [0, 0]],
    ]);
    expect(at(shiftImages(xs, { dx: 0, dy: 0 }))).toEqual(at(xs));
    tf.dispose([xs, right, up]);
  });

  it('refuses shifts that are not whole pixels or leave nothing of the image', () => {
    const xs = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => shiftImages(xs, { dx: 0.5, dy: 0 })).toThrow(/whole pixels/);
    expect(() => shiftImages(xs, { dx: 0, dy: -4 })).toThrow(/out of sight/);
    xs.dispose();
  });
});

describe('predict with test-time augmentation', () => {
  it('with only the identity shift equals the plain prediction, for flat and image models', async () => {
    const images = await mnistRows(0, 30);
    for (const model of [createMlp({ hidden: [16], seed: 1 }), new Cnn({ channels: [4], hidden: 8, seed: 2 })]) {
      const plain = concatPredictions(await lastValueFrom(images.batches({ batchSize: 16 }).pipe(predict(model), toArray())));
      const tensorsBefore = tf.memory().numTensors;
      const identity = concatPredictions(
        await lastValueFrom(images.batches({ batchSize: 16 }).pipe(predict(model, { shifts: [{ dx: 0, dy: 0 }] }), toArray())),
      );
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(Array.from(identity.probabilities)).toEqual(Array.from(plain.probabilities));
      expect(Array.from(identity.labels)).toEqual(Array.from(plain.labels));
      model.dispose();
    }
  });

  it('averages the probabilities of the shifted images', async () => {
    const format = imageFormat({ width: 6, height: 5, channels: 3, classes: ['a', 'b', 'c'] });
    const images = randomImages(format, 7, 3);
    const model = new Cnn({ channels: [4], hidden: 8, seed: 3, format });
    const per = async (shift: { dx: number; dy: number }): Promise<Float32Array> =>
      concatPredictions(await lastValueFrom(images.batches({ batchSize: 7 }).pipe(predict(model, { shifts: [shift] }), toArray()))).probabilities;
    const each = await Promise.all(TTA_SHIFTS.map(per));
    const averaged = concatPredictions(await lastValueFrom(images.batches({ batchSize: 4 }).pipe(predict(model, { shifts: TTA_SHIFTS }), toArray())));
    averaged.probabilities.forEach((p, i) => expect(p).toBeCloseTo(each.reduce((sum, probs) => sum + probs[i], 0) / each.length, 5));
    // a shifted image is a different image: the shifts change the answer somewhere
    expect(each[1].some((p, i) => Math.abs(p - each[0][i]) > 1e-4)).toBe(true);
    expect(() => predict(model, { shifts: [] })).toThrow(/shifts is empty/);
    model.dispose();
  });
});
