import { DigitDataset } from '../../lib/data/dataset.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { evaluateLabels } from '../../lib/operators/evaluate.ts';
import { CLASSES, PIXELS, type EpochStats, type Evaluation, type ModelMetrics } from '../../lib/types.ts';

/**
 * A labelled dataset of `n` synthetic digits: digit d is a vertical bar whose column depends on d,
 * with some noise, so mean images differ by class and the tests can predict where ink is.
 */
export function barDigits(n: number, seed = 1): DigitDataset {
  const random = seededRandom(seed);
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % CLASSES;
    labels[i] = label;
    ids[i] = i + 1;
    const col = 4 + 2 * label;
    for (let row = 4; row < 24; row++) pixels[i * PIXELS + row * 28 + col] = 128 + Math.floor(random() * 128);
  }
  return new DigitDataset(pixels, ids, labels);
}

/** Predictions that are right except with probability `errorRate` (then a random other class). */
export function noisyPredictions(labels: ArrayLike<number>, errorRate: number, seed: number, classes: number = CLASSES): number[] {
  const random = seededRandom(seed);
  return Array.from(labels, (label) => (random() < errorRate ? (label + 1 + Math.floor(random() * (classes - 1))) % classes : label));
}

export interface SyntheticModel {
  model: string;
  errorRate: number;
  seed: number;
  epochs?: number;
}

/**
 * Metrics of a pretend model on `valid` and `test` (test answers known only if `test` is labelled):
 * what the trainer would report, without training, for report tests and the report benchmark. The
 * classes are those of `valid.format`.
 */
export function syntheticMetrics(spec: SyntheticModel, valid: DigitDataset, test: DigitDataset): ModelMetrics {
  const random = seededRandom(spec.seed + 1000);
  const classes = valid.format.classes.length;
  // the scorer reads each mistake's confidence from the probability of the predicted class
  const evaluate = (labels: ArrayLike<number>, predicted: number[], ids: ArrayLike<number>): Evaluation => {
    const probabilities = new Float32Array(labels.length * classes);
    predicted.forEach((label, i) => (probabilities[i * classes + label] = 0.5 + random() / 2));
    return evaluateLabels(labels, predicted, ids, probabilities, classes);
  };
  const validPredictions = noisyPredictions(valid.labels!, spec.errorRate, spec.seed, classes);
  const testLabels = test.labels ?? new Uint8Array(test.size);
  const testPredictions = noisyPredictions(testLabels, spec.errorRate, spec.seed + 1, classes);
  const epochs = spec.epochs ?? 5;
  const history: EpochStats[] = Array.from({ length: epochs }, (_, e) => ({
    epoch: e + 1,
    loss: 1 / (e + 2) + spec.errorRate,
    accuracy: 1 - spec.errorRate - 0.2 / (e + 1),
    validLoss: 1.1 / (e + 2) + spec.errorRate,
    validAccuracy: 1 - spec.errorRate - 0.22 / (e + 1),
    seconds: 2,
    samplesPerSec: 10_000,
  }));
  return {
    model: spec.model,
    backend: 'wasm',
    parameters: 100_000,
    epochs,
    batchSize: 64,
    history,
    valid: evaluate(valid.labels!, validPredictions, valid.ids),
    test: test.labels ? evaluate(test.labels, testPredictions, test.ids) : undefined,
    timings: { trainSeconds: 2 * epochs, predictSeconds: 0.5, samplesPerSec: 10_000 },
    testPredictions,
  };
}
