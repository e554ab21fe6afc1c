import type { ImageDataset } from '../lib/data/dataset.ts';
import { describeSize, itemNoun, MNIST_FORMAT, type ImageFormat } from '../lib/data/format.ts';
import type { Evaluation, Misclassified, ModelMetrics } from '../lib/types.ts';
import type { ShownImage } from './eda.ts';
import { UserError } from '../lib/errors.ts';

/** One model's mistakes as shown in its gallery (class indices, and each image's pixels). */
export interface Gallery {
  model: string;
  total: number;
  digits: Array<Misclassified & { pixels: number[] }>;
}

/** Images the first two models label differently, with both predictions (in model order). */
export interface Disagreements {
  digits: Array<ShownImage & { predictions: number[] }>;
}

/**
 * Everything the model-comparison part of the report shows, as plain JSON-able data: the data set's
 * format, the models' metrics (labels and predictions are class indices into `format.classes`) plus
 * the pixels of the few images drawn (saved in report-data.json so that `digits report --from DIR`
 * needs no data set and no training). The keys that say "digit" are kept from the digit-only files.
 */
export interface ComparisonData {
  /** Size, colour and classes of the images the models classify. */
  format: ImageFormat;
  models: ModelMetrics[];
  /** 'test' when the test answers are known (then the galleries show test images), else 'validation'. */
  dataName: 'test' | 'validation';
  galleries: Gallery[];
  disagreements?: Disagreements;
}

/**
 * The images {@link comparisonData} draws the galleries and disagreements from (metrics hold only
 * ids), their format, and how many images each gallery shows.
 */
export interface ComparisonOptions {
  /** The test images, in the order of `testPredictions` (needed for test galleries and disagreements). */
  test?: ImageDataset;
  /** The images the validation ids refer to (the training data), needed when there are no test answers. */
  valid?: ImageDataset;
  /**
   * Size, colour and classes of the images: the training data's (default: `valid.format`, else
   * `test.format`, else the Digit Recognizer's).
   */
  format?: ImageFormat;
  /** Images per gallery (default 30). */
  limit?: number;
}

function checkImageSize(dataset: ImageDataset | undefined, format: ImageFormat, option: string): void {
  if (!dataset) return;
  const { width, height, channels } = dataset.format;
  if (width !== format.width || height !== format.height || channels !== format.channels) {
    throw new UserError(`comparisonData: the ${option} images are ${describeSize(dataset.format)}, the models' data ${describeSize(format)}`);
  }
}

function pixelsById(dataset: ImageDataset | undefined, dataName: string, option: string, noun: string): (id: number, model: string) => number[] {
  const rowOf = new Map<number, number>();
  dataset?.ids.forEach((id, row) => rowOf.set(id, row));
  return (id, model) => {
    if (!dataset) throw new UserError(`comparisonData: option '${option}' (the ${dataName} images) is needed to draw ${model}'s mistakes`);
    const row = rowOf.get(id);
    if (row === undefined) throw new UserError(`comparisonData: ${dataName} ${noun} ${id} (misclassified by ${model}) is not in the ${dataName} dataset given`);
    return Array.from(dataset.record(row).pixels);
  };
}

/** The evaluation a report shows for a model: test when the answers are known, else validation. */
export function evaluationOf(model: ModelMetrics, dataName: ComparisonData['dataName']): Evaluation {
  return dataName === 'test' && model.test ? model.test : model.valid;
}

function disagreementsOf(models: readonly ModelMetrics[], test: ImageDataset | undefined, limit: number): Disagreements | undefined {
  const [first, second] = models;
  const a = first?.testPredictions;
  const b = second?.testPredictions;
  if (!a || !b || !test || a.length !== b.length || a.length !== test.size) return undefined;
  // an image two models disagree on is wrong for at least one of them: its label is in that model's list
  const knownLabels = new Map<number, number>();
  for (const m of [first, second]) for (const x of m.test?.misclassified ?? []) knownLabels.set(x.id, x.label);
  const digits: Disagreements['digits'] = [];
  for (let row = 0; row < a.length && digits.length < limit; row++) {
    if (a[row] === b[row]) continue;
    const { id, label, pixels } = test.record(row);
    digits.push({ id, label: label ?? knownLabels.get(id), pixels: Array.from(pixels), predictions: [a[row], b[row]] });
  }
  return { digits };
}

/**
 * Picks, from the models' metrics and the images, what the comparison report draws: each model's
 * most confident mistakes and the first images on which the two models disagree, with the format
 * that names their classes.
 *
 * @example
 * const data = comparisonData([mlpMetrics, cnnMetrics], { test, valid: train });
 */
export function comparisonData(models: readonly ModelMetrics[], options: ComparisonOptions = {}): ComparisonData {
  if (models.length === 0) throw new UserError('comparisonData: no model metrics given');
  const limit = options.limit ?? 30;
  const format = options.format ?? options.valid?.format ?? options.test?.format ?? MNIST_FORMAT;
  checkImageSize(options.valid, format, 'valid');
  checkImageSize(options.test, format, 'test');
  const classes = format.classes.length;
  for (const m of models) {
    for (const evaluation of [m.valid, m.test]) {
      if (evaluation && evaluation.confusion.length !== classes) {
        throw new UserError(`comparisonData: ${m.model}'s confusion matrix has ${evaluation.confusion.length} classes, the data ${classes}`);
      }
    }
  }
  const dataName = models.every((m) => m.test) ? 'test' : 'validation';
  const pixelsOf = dataName === 'test' ? pixelsById(options.test, dataName, 'test', itemNoun(format)) : pixelsById(options.valid, dataName, 'valid', itemNoun(format));
  const galleries = models.map((m) => {
    const mistakes = [...evaluationOf(m, dataName).misclassified].sort((x, y) => y.confidence - x.confidence);
    return {
      model: m.model,
      total: mistakes.length,
      digits: mistakes.slice(0, limit).map((x) => ({ ...x, pixels: pixelsOf(x.id, m.model) })),
    };
  });
  return { format, models: [...models], dataName, galleries, disagreements: disagreementsOf(models, options.test, limit) };
}
