import { describe, expect, it } from 'vitest';
import { averagePredictions, disagreementCount } from '../../lib/operators/averagePredictions.ts';
import type { Prediction } from '../../lib/operators/predict.ts';

function prediction(ids: number[], probabilities: number[][], truth?: number[]): Prediction {
  return {
    ids: Int32Array.from(ids),
    classes: probabilities[0].length,
    probabilities: Float32Array.from(probabilities.flat()),
    labels: Uint8Array.from(probabilities.map((row) => row.indexOf(Math.max(...row)))),
    truth: truth && Uint8Array.from(truth),
  };
}

describe('averagePredictions', () => {
  const a = prediction([5, 6, 7], [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]], [0, 1, 2]);
  const b = prediction([5, 6, 7], [[0.1, 0.8, 0.1], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6]], [0, 1, 2]);

  it('of identical members is that member', () => {
    const mean = averagePredictions([a, a, a]);
    expect(Array.from(mean.probabilities)).toEqual(Array.from(a.probabilities));
    expect(Array.from(mean.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(mean.truth!)).toEqual([0, 1, 2]);
    expect(disagreementCount([a, a, a])).toBe(0);
  });

  it('averages the probabilities and takes the arg-max of the mean', () => {
    const mean = averagePredictions([a, b]);
    [0.35, 0.55, 0.1, 0.25, 0.55, 0.2, 0.15, 0.15, 0.7].forEach((p, i) => expect(mean.probabilities[i]).toBeCloseTo(p, 6));
    // row 0: a says 0, b says 1, the mean says 1
    expect(Array.from(mean.labels)).toEqual([1, 1, 2]);
    expect(disagreementCount([a, b])).toBe(1);
  });

  it('refuses predictions of other images, another order or other classes', () => {
    expect(() => averagePredictions([])).toThrow(/no predictions/);
    expect(() => averagePredictions([a, prediction([5, 7, 6], [[1, 0, 0], [1, 0, 0], [1, 0, 0]])])).toThrow(/same images in the same order/);
    expect(() => averagePredictions([a, prediction([5, 6, 7], [[1, 0], [1, 0], [1, 0]])])).toThrow(/same classes/);
  });
});
