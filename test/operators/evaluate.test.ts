import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.ts';
import { evaluate, evaluateLabels } from '../../lib/operators/evaluate.ts';
import type { Prediction } from '../../lib/operators/predict.ts';
import { CLASSES } from '../../lib/types.ts';
import { seededRandom } from '../../lib/data/random.ts';

/** Random predictions with true labels; probabilities peak at the predicted label. */
function randomPredictions(n: number, seed: number, firstId: number): Prediction {
  const random = seededRandom(seed);
  const truth = Uint8Array.from({ length: n }, () => Math.floor(random() * CLASSES));
  // mostly right, sometimes a random guess, and never a 9 predicted, to exercise an empty column
  const labels = truth.map((t) => (random() < 0.7 && t !== 9 ? t : Math.floor(random() * 9)));
  const probabilities = new Float32Array(n * CLASSES).fill(0.05);
  labels.forEach((l, i) => (probabilities[i * CLASSES + l] = 0.55));
  const ids = Int32Array.from({ length: n }, (_, i) => firstId + i);
  return { ids, labels, classes: CLASSES, probabilities, truth };
}

describe('evaluate', () => {
  it('gives accuracy, the confusion matrix, per-class metrics and the misclassified ids', async () => {
    const parts = [randomPredictions(120, 1, 1), randomPredictions(80, 2, 121)];
    const evaluation = await lastValueFrom(from(parts).pipe(evaluate()));
    const rows = parts.flatMap((p) => Array.from(p.ids, (id, i) => ({ id, truth: p.truth![i], label: p.labels[i] })));
    expect(evaluation.count).toBe(200);
    expect(evaluation.accuracy).toBe(rows.filter((r) => r.truth === r.label).length / 200);
    for (let t = 0; t < CLASSES; t++) {
      for (let p = 0; p < CLASSES; p++) {
        expect(evaluation.confusion[t][p]).toBe(rows.filter((r) => r.truth === t && r.label === p).length);
      }
    }
    for (const c of evaluation.perClass) {
      const tp = rows.filter((r) => r.truth === c.label && r.label === c.label).length;
      const predicted = rows.filter((r) => r.label === c.label).length;
      const actual = rows.filter((r) => r.truth === c.label).length;
      expect(c.support).toBe(actual);
      expect(c.recall).toBeCloseTo(tp / actual, 12);
      expect(c.precision).toBeCloseTo(predicted ? tp / predicted : 0, 12);
      const f1 = c.precision + c.recall ? (2 * c.precision * c.recall) / (c.precision + c.recall) : 0;
      expect(c.f1).toBeCloseTo(f1, 12);
    }
    expect(evaluation.perClass[9].precision).toBe(0);
    expect(evaluation.misclassified).toEqual(
      rows.filter((r) => r.truth !== r.label).map((r) => ({ id: r.id, label: r.truth, predicted: r.label, confidence: expect.closeTo(0.55, 6) })),
    );
  });

  it('refuses predictions without true labels', async () => {
    const { truth: _, ...unlabelled } = randomPredictions(5, 3, 1);
    await expect(lastValueFrom(from([unlabelled]).pipe(evaluate()))).rejects.toThrow(UserError);
  });

  it('checks that the arrays agree in length', () => {
    expect(() => evaluateLabels([1, 2], [1], [1, 2], new Float32Array(20))).toThrow(/2 true labels, 1 predictions/);
  });
});
