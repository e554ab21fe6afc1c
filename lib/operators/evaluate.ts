import { map, reduce, type OperatorFunction } from 'rxjs';
import { UserError } from '../errors.ts';
import type { ClassMetrics, Evaluation, Misclassified } from '../types.ts';
import { concatPredictions, type Prediction } from './predict.ts';

/**
 * Scores a stream of predictions that carry true labels (from `predict` over labelled batches):
 * emits one `Evaluation` — accuracy, the K x K confusion matrix (rows true, columns predicted),
 * per-class precision / recall / F1, and every misclassified id with its true and predicted label.
 *
 * @example
 * validSet.batches({ batchSize: 1000 }).pipe(predict(mlp), evaluate()).subscribe((e) => console.log(e.accuracy))
 */
export function evaluate(): OperatorFunction<Prediction, Evaluation> {
  return (source) =>
    source.pipe(
      reduce((parts: Prediction[], part) => {
        if (!part.truth) throw new UserError('evaluate: predictions have no true labels (the batches were unlabelled)');
        parts.push(part);
        return parts;
      }, []),
      map((parts) => scorePrediction(concatPredictions(parts))),
    );
}

/**
 * The evaluation of one labelled prediction (for example a whole dataset's, joined by
 * `concatPredictions`): what `evaluate` emits for its stream.
 *
 * @example
 * const evaluation = scorePrediction(concatPredictions(parts));
 */
export function scorePrediction(prediction: Prediction): Evaluation {
  if (!prediction.truth) throw new UserError('evaluate: predictions have no true labels (the batches were unlabelled)');
  return evaluateLabels(prediction.truth, prediction.labels, prediction.ids, prediction.probabilities, prediction.classes);
}

/**
 * The evaluation of predicted against true class indices; `probabilities` ([n, classes]) gives each
 * misclassified row's confidence in its wrong answer. `classes` defaults to the probabilities' width.
 */
export function evaluateLabels(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  ids: ArrayLike<number>,
  probabilities: Float32Array,
  classes: number = truth.length ? probabilities.length / truth.length : 0,
): Evaluation {
  if (
    truth.length !== predicted.length ||
    ids.length !== truth.length ||
    !Number.isInteger(classes) ||
    probabilities.length !== truth.length * classes
  ) {
    throw new UserError(
      `evaluate: ${truth.length} true labels, ${predicted.length} predictions, ${ids.length} ids, ${probabilities.length} probabilities`,
    );
  }
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misclassified: Misclassified[] = [];
  for (let i = 0; i < truth.length; i++) {
    const label = truth[i];
    const guess = predicted[i];
    confusion[label][guess]++;
    if (label !== guess) {
      misclassified.push({ id: ids[i], label, predicted: guess, confidence: probabilities[i * classes + guess] });
    }
  }
  const count = truth.length;
  const correct = confusion.reduce((sum, row, c) => sum + row[c], 0);
  return { accuracy: count ? correct / count : 0, count, confusion, perClass: classMetrics(confusion), misclassified };
}

function classMetrics(confusion: number[][]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const truePositives = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, r) => sum + r[c], 0);
    const precision = predictedCount ? truePositives / predictedCount : 0;
    const recall = support ? truePositives / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label: c, precision, recall, f1, support };
  });
}
