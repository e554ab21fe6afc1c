import * as tf from '@tensorflow/tfjs';
import { from, lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { Cnn } from '../../lib/models/cnn.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import { concatPredictions, predict } from '../../lib/operators/predict.ts';
import { CLASSES } from '../../lib/types.ts';
import { mnistRows, useTestBackend } from '../models/fixtures.ts';

beforeAll(useTestBackend);

describe('predict', () => {
  it('emits labels, probabilities, ids and true labels per batch, disposing the batches', async () => {
    const images = await mnistRows(0, 25);
    const model = createMlp({ hidden: [16], seed: 1 });
    const tensorsBefore = tf.memory().numTensors;
    const parts = await lastValueFrom(images.batches({ batchSize: 10 }).pipe(predict(model), toArray()));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(parts.map((p) => p.ids.length)).toEqual([10, 10, 5]);
    const all = concatPredictions(parts);
    expect(Array.from(all.ids)).toEqual(Array.from(images.ids));
    expect(Array.from(all.truth!)).toEqual(Array.from(images.labels!));
    for (let i = 0; i < images.size; i++) {
      const row = Array.from(all.probabilities.subarray(i * CLASSES, (i + 1) * CLASSES));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(all.labels[i]).toBe(row.indexOf(Math.max(...row)));
    }
    model.dispose();
  });

  it('accepts flat batches for the CNN and leaves truth out for unlabelled data', async () => {
    const labelled = await mnistRows(0, 8);
    const unlabelled = new DigitDataset(labelled.pixels, labelled.ids);
    const cnn = new Cnn({ channels: [4], hidden: 8, seed: 2 });
    const [flat] = await lastValueFrom(unlabelled.batches({ batchSize: 8, shape: 'flat' }).pipe(predict(cnn), toArray()));
    const [image] = await lastValueFrom(unlabelled.batches({ batchSize: 8, shape: 'image' }).pipe(predict(cnn), toArray()));
    expect(flat.truth).toBeUndefined();
    expect(Array.from(flat.probabilities)).toEqual(Array.from(image.probabilities));
    cnn.dispose();
  });
});

describe('predict: batches of the wrong shape', () => {
  it('fails with one line naming the stage and the shape, and still disposes the batch', async () => {
    const model = createMlp({ hidden: [8], seed: 1 });
    const before = tf.memory().numTensors;
    const wrong = { xs: tf.zeros([3, 32]), ids: Int32Array.from([1, 2, 3]) };
    await expect(lastValueFrom(from([wrong]).pipe(predict(model)))).rejects.toThrow('predict: batch xs has shape [3, 32], expected [n, 784] or [n, 28, 28, 1]');
    const fewIds = { xs: tf.zeros([3, 784]), ids: Int32Array.from([1, 2]) };
    await expect(lastValueFrom(from([fewIds]).pipe(predict(model)))).rejects.toThrow('predict: batch has 3 rows of xs but 2 ids');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
