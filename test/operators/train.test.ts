import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, of, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { UserError } from '../../lib/errors.ts';
import { createMlp } from '../../lib/models/mlp.ts';
import { oneCycle, stepDecay, type ScheduleStep } from '../../lib/operators/lrSchedule.ts';
import { lossAndAccuracy, train } from '../../lib/operators/train.ts';
import type { BatchEvent, DoneEvent, EpochEvent, TrainEvent } from '../../lib/types.ts';
import { mnistRows, useTestBackend } from '../models/fixtures.ts';

beforeAll(useTestBackend);

const tinyMlp = (seed: number) => createMlp({ hidden: [32], batchNorm: false, dropout: 0, seed });

describe('train', () => {
  it('emits a batch event per step, an epoch event per epoch and a final done with the history', async () => {
    const [trainSet, valid] = await Promise.all([mnistRows(0, 250), mnistRows(250, 100)]);
    const model = tinyMlp(1);
    const schedule = oneCycle(0.01);
    const events: TrainEvent[] = await lastValueFrom(
      of(trainSet).pipe(train(model, { epochs: 2, batchSize: 100, valid, lrSchedule: schedule }), toArray()),
    );
    expect(events.map((e) => e.type)).toEqual(['batch', 'batch', 'batch', 'epoch', 'batch', 'batch', 'batch', 'epoch', 'done']);
    const batches = events.filter((e): e is BatchEvent => e.type === 'batch');
    expect(batches.map((e) => [e.epoch, e.batch, e.batchesPerEpoch])).toEqual([
      [1, 1, 3], [1, 2, 3], [1, 3, 3], [2, 1, 3], [2, 2, 3], [2, 3, 3],
    ]);
    for (const e of batches) {
      expect(e.loss).toBeGreaterThan(0);
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.accuracy).toBeLessThanOrEqual(1);
      expect(e.samplesPerSec).toBeGreaterThan(0);
    }
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    const done = events.at(-1) as DoneEvent;
    expect(done.history).toEqual(epochs.map(({ type: _, ...stats }) => stats));
    expect(done.stoppedEarly).toBe(false);
    expect(done.seconds).toBeGreaterThan(0);
    // the rate after each epoch is the schedule's rate for that epoch's last batch
    epochs.forEach((e, i) =>
      expect(e.learningRate).toBeCloseTo(schedule({ epoch: i, batch: 2, batchesPerEpoch: 3, epochs: 2 }), 6),
    );
    // the epoch's validation figures are those of the model as it is after that epoch
    const last = lossAndAccuracy(model, valid);
    expect(epochs[1].validLoss).toBeCloseTo(last.loss, 5);
    expect(epochs[1].validAccuracy).toBe(last.accuracy);
    // the training loss is the sample-weighted mean of the epoch's batch losses (100, 100, 50 rows)
    const epoch2 = batches.slice(3);
    expect(epochs[1].loss).toBeCloseTo((epoch2[0].loss * 100 + epoch2[1].loss * 100 + epoch2[2].loss * 50) / 250, 5);
    expect(done.bestEpoch).toBe(epochs[0].validLoss! < epochs[1].validLoss! ? 1 : 2);
    model.dispose();
  });

  it('stops early when the validation loss stops improving and restores the best weights', async () => {
    const [trainSet, valid] = await Promise.all([mnistRows(0, 300), mnistRows(300, 200)]);
    const model = tinyMlp(2);
    // A sane first epoch, then a rate that wrecks the weights: validation loss must get worse.
    const wreck = ({ epoch }: ScheduleStep): number => (epoch === 0 ? 3e-3 : 5);
    const events = await lastValueFrom(
      of(trainSet).pipe(
        train(model, { epochs: 10, batchSize: 50, valid, lrSchedule: wreck, earlyStopping: { patience: 2 } }),
        toArray(),
      ),
    );
    const done = events.at(-1) as DoneEvent;
    expect(done.stoppedEarly).toBe(true);
    expect(done.history).toHaveLength(3);
    expect(done.bestEpoch).toBe(1);
    expect(done.history[1].validLoss!).toBeGreaterThan(done.history[0].validLoss!);
    expect(lossAndAccuracy(model, valid).loss).toBeCloseTo(done.history[0].validLoss!, 5);
    model.dispose();
  });

  it('stops between batches on unsubscribe and frees every tensor', async () => {
    const trainSet = await mnistRows(0, 500);
    const tensorsBefore = tf.memory().numTensors;
    const model = tinyMlp(3);
    let steps = 0;
    const step = model.trainStep.bind(model);
    model.trainStep = (xs, ys) => {
      steps++;
      return step(xs, ys);
    };
    const first = await lastValueFrom(of(trainSet).pipe(train(model, { epochs: 5, batchSize: 50 }), take(2), toArray()));
    expect(first.map((e) => e.type)).toEqual(['batch', 'batch']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(steps).toBe(2);
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects bad options with a one-line error naming the option', async () => {
    const model = tinyMlp(4);
    const labelled = await mnistRows(0, 10);
    const unlabelled = new DigitDataset(labelled.pixels, labelled.ids);
    expect(() => train(model, { epochs: 0, batchSize: 10 })).toThrow(UserError);
    expect(() => train(model, { epochs: 1.5, batchSize: 10 })).toThrow(/^train: epochs must be an integer >= 1, got 1.5$/);
    expect(() => train(model, { epochs: 1, batchSize: -1 })).toThrow(/^train: batchSize must be an integer >= 1, got -1$/);
    expect(() => train(model, { epochs: 1, batchSize: 10, earlyStopping: { patience: 2 } })).toThrow(/earlyStopping needs a valid/);
    expect(() => train(model, { epochs: 1, batchSize: 10, valid: unlabelled })).toThrow(/validation dataset has no labels/);
    model.dispose();
  });
});

describe('learning-rate schedules', () => {
  const at = (epoch: number, batch: number): ScheduleStep => ({ epoch, batch, batchesPerEpoch: 10, epochs: 4 });

  it('oneCycle warms up to the peak, then anneals to peak / endDivisor', () => {
    const schedule = oneCycle(0.01, { warmup: 0.25, startDivisor: 10, endDivisor: 100 });
    expect(schedule(at(0, 0))).toBeCloseTo(0.001, 9);
    expect(schedule(at(1, 0))).toBeCloseTo(0.01, 9); // 10 of 40 steps = the end of warm-up
    const rates = Array.from({ length: 40 }, (_, i) => schedule(at(Math.floor(i / 10), i % 10)));
    for (let i = 1; i <= 10; i++) expect(rates[i]).toBeGreaterThan(rates[i - 1]);
    for (let i = 11; i < 40; i++) expect(rates[i]).toBeLessThan(rates[i - 1]);
    expect(rates[39]).toBeGreaterThan(0.0001);
    expect(rates[39]).toBeLessThan(0.0002);
    expect(() => oneCycle(0)).toThrow(/^oneCycle: maxRate must be > 0, got 0$/);
  });

  it('stepDecay multiplies the rate by factor every everyEpochs epochs', () => {
    const schedule = stepDecay(0.1, 0.5, 2);
    expect([0, 1, 2, 3].map((epoch) => schedule(at(epoch, 5)))).toEqual([0.1, 0.1, 0.05, 0.05]);
    expect(() => stepDecay(0.1, 0.5, 0)).toThrow(/everyEpochs must be an integer >= 1/);
  });
});
