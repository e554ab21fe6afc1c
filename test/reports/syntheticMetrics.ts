import { DigitDataset } from '../../lib/data/dataset.ts';
import { seededRandom } from '../../lib/data/random.ts';
import type { TrainingRecipe } from '../../lib/models/recipes.ts';
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

/** The recipe {@link withRecipe} records: the CNN's 'best' settings, jitter included. */
export const SYNTHETIC_RECIPE: TrainingRecipe = {
  epochs: 5,
  batchSize: 64,
  maxLearningRate: 4e-3,
  averageWeights: 0.998,
  tta: true,
  augment: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 },
};

/** `metrics` with the recipe and seed the trainer records (files written before that have neither). */
export function withRecipe(metrics: ModelMetrics, seed: number): ModelMetrics {
  return { ...metrics, recipe: { ...SYNTHETIC_RECIPE, epochs: metrics.epochs, batchSize: metrics.batchSize }, seed };
}

/**
 * `metrics` as an ensemble of `members` models differing by seed would report them: member k is
 * (k + 1) tenths of a point less accurate than the ensemble, and the members disagree on 7
 * validation and 11 test images.
 */
export function asEnsemble(metrics: ModelMetrics, members: number, seed: number): ModelMetrics {
  const testAccuracy = metrics.test?.accuracy;
  return {
    ...withRecipe(metrics, seed),
    ensemble: {
      members: Array.from({ length: members }, (_, k) => ({
        member: k + 1,
        seed: seed + 1000 * k,
        validAccuracy: metrics.valid.accuracy - 0.001 * (k + 1),
        ...(testAccuracy === undefined ? {} : { testAccuracy: testAccuracy - 0.001 * (k + 1) }),
        trainSeconds: metrics.timings.trainSeconds / members,
      })),
      validDisagreements: 7,
      testDisagreements: 11,
    },
  };
}
