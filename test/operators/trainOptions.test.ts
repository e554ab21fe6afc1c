import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, of, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlp } from '../../lib/models/mlp.ts';
import type { DigitModel, StepResult } from '../../lib/models/model.ts';
import { train } from '../../lib/operators/train.ts';
import { WeightAverage } from '../../lib/operators/weightAverage.ts';
import { mnistRows, useTestBackend } from '../models/fixtures.ts';

beforeAll(useTestBackend);

/** A real MLP whose training step only records the targets it was given: the weights change only by what `train` itself does. */
function recordingModel(seed: number): { model: DigitModel; targets: number[][][] } {
  const inner = createMlp({ hidden: [8], batchNorm: false, dropout: 0, seed });
  const targets: number[][][] = [];
  const model = Object.assign(Object.create(inner) as DigitModel, {
    async trainStep(_xs: tf.Tensor, ys: tf.Tensor2D): Promise<StepResult> {
      targets.push(ys.arraySync());
      return { loss: 1, accuracy: 0 };
    },
  });
  return { model, targets };
}

describe('train: label smoothing, weight decay, weight averaging', () => {
  it('labelSmoothing hands the model (1 - s) * one-hot + s / classes', async () => {
    const data = await mnistRows(0, 20);
    const { model, targets } = recordingModel(1);
    const tensorsBefore = tf.memory().numTensors;
    await lastValueFrom(of(data).pipe(train(model, { epochs: 1, batchSize: 10, labelSmoothing: 0.1 }), toArray()));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const rows = targets.flat();
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row.filter((p) => Math.abs(p - 0.91) < 1e-6)).toHaveLength(1);
      expect(row.filter((p) => Math.abs(p - 0.01) < 1e-6)).toHaveLength(9);
    }
    model.dispose();
  });

  it('weightDecay shrinks every parameter by learningRate * weightDecay per step', async () => {
    const data = await mnistRows(0, 30);
    const { model } = recordingModel(2);
    const before = model.parameters().map((p) => p.dataSync().slice());
    model.learningRate = 0.01;
    await lastValueFrom(of(data).pipe(train(model, { epochs: 1, batchSize: 10, weightDecay: 0.5 }), toArray()));
    const factor = (1 - 0.01 * 0.5) ** 3;
    model.parameters().forEach((p, i) => {
      const after = p.dataSync();
      before[i].forEach((v, j) => expect(after[j]).toBeCloseTo(v * factor, 6));
    });
    model.dispose();
  });

  it('averageWeights leaves the moving average of the weights in the model', async () => {
    const data = await mnistRows(0, 40);
    const trained = createMlp({ hidden: [8], batchNorm: false, dropout: 0, seed: 3 });
    // a first epoch makes the optimiser's own variables, so that the count below sees only the average's
    await lastValueFrom(of(data).pipe(train(trained, { epochs: 1, batchSize: 10 }), toArray()));
    // the same steps, watched from outside: the model's weights after each step, averaged by hand
    const seen: Float32Array[][] = [];
    const step = trained.trainStep.bind(trained);
    trained.trainStep = async (xs, ys) => {
      const result = await step(xs, ys);
      seen.push(trained.stateVariables().map((v) => v.dataSync().slice() as Float32Array));
      return result;
    };
    const initial = trained.stateVariables().map((v) => v.dataSync().slice());
    const tensorsBefore = tf.memory().numTensors;
    await lastValueFrom(of(data).pipe(train(trained, { epochs: 2, batchSize: 10, averageWeights: { decay: 0.5 } }), toArray()));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const expected = initial.map((values) => Float64Array.from(values));
    seen.forEach((weights, t) => {
      const decay = Math.min(0.5, (1 + t) / (10 + t));
      expected.forEach((average, i) => average.forEach((a, j) => (average[j] = a + (weights[i][j] - a) * (1 - decay))));
    });
    expect(seen).toHaveLength(8);
    trained.stateVariables().forEach((v, i) => {
      const actual = v.dataSync();
      expected[i].forEach((e, j) => expect(actual[j]).toBeCloseTo(e, 5));
    });
    // and not simply the last step's weights
    expect(trained.stateVariables()[0].dataSync().some((x, j) => Math.abs(x - seen.at(-1)![0][j]) > 1e-6)).toBe(true);
    trained.dispose();
  });

  it('WeightAverage frees what it holds, and the options are checked', async () => {
    const data = await mnistRows(0, 10);
    const model = createMlp({ hidden: [4], seed: 4 });
    const tensorsBefore = tf.memory().numTensors;
    const average = new WeightAverage(model, { decay: 0.9 });
    average.update();
    average.apply();
    average.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(() => new WeightAverage(model, { decay: 1 })).toThrow(/decay must be in \[0, 1\)/);
    expect(() => train(model, { epochs: 1, batchSize: 5, labelSmoothing: 1 })).toThrow(/labelSmoothing must be in \[0, 1\)/);
    expect(() => train(model, { epochs: 1, batchSize: 5, weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() => train(model, { epochs: 1, batchSize: 5, valid: data, earlyStopping: {}, averageWeights: { decay: 0.9 } })).toThrow(/give one of them/);
    model.dispose();
  });
});
