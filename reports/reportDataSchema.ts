/**
 * JSON schemas of report-data.json: enough to name the first wrong field of a hand-edited or stale
 * file. Lengths and class indices depend on the image format a file records, which one schema
 * cannot compare against, so the envelope (marker, version, the recorded formats) is checked first
 * and each part then against a schema made for its format. As everywhere in the file, fields a schema
 * does not name are accepted and kept, so files of a newer writer still load.
 */
import type { SchemaObject } from 'ajv';
import { augmentOptionsProperties } from '../lib/data/augmentSchema.ts';
import { MAX_CLASSES, MAX_SIDE, pixelCount, type ImageFormat } from '../lib/data/format.ts';

const number = { type: 'number' } as const;
const integer = { type: 'integer' } as const;

/** The recorded {@link ImageFormat}: size, colour and the classes' labels and names. */
export const formatSchema = {
  type: 'object',
  required: ['width', 'height', 'channels', 'classes'],
  properties: {
    width: { type: 'integer', minimum: 1, maximum: MAX_SIDE },
    height: { type: 'integer', minimum: 1, maximum: MAX_SIDE },
    channels: { enum: [1, 3] },
    classes: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_CLASSES,
      items: { type: 'object', required: ['label', 'name'], properties: { label: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } } },
    },
  },
} as const;

/** A share in [0, 1), as the trainer requires of the recipe's rates and decays. */
const fraction = { type: 'number', minimum: 0, exclusiveMaximum: 1 } as const;
/** A count of one or more. */
const count = { type: 'integer', minimum: 1 } as const;

/**
 * The `TrainingRecipe` a model's metrics record (absent in files written before recipes were):
 * counts are integers >= 1, rates and decays in the ranges the trainer accepts. Like every object
 * of the file, fields it does not name are let through untouched, so a newer writer's extra recipe
 * settings do not make the file unreadable.
 */
const recipeSchema = {
  type: 'object',
  required: ['epochs', 'batchSize', 'maxLearningRate'],
  properties: {
    epochs: count,
    batchSize: count,
    maxLearningRate: { type: 'number', exclusiveMinimum: 0 },
    warmup: fraction,
    beta1: fraction,
    beta2: fraction,
    labelSmoothing: fraction,
    weightDecay: fraction,
    averageWeights: fraction,
    tta: { type: 'boolean' },
    augment: { type: 'object', properties: augmentOptionsProperties },
    members: count,
  },
} as const;

/** An ensemble's `EnsembleSummary`: each member's scores alone, and how many images they disagree on. */
const ensembleSchema = {
  type: 'object',
  required: ['members', 'validDisagreements', 'testDisagreements'],
  properties: {
    members: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['member', 'seed', 'validAccuracy', 'trainSeconds'],
        properties: { member: count, seed: integer, validAccuracy: number, testAccuracy: number, trainSeconds: number },
      },
    },
    validDisagreements: { type: 'integer', minimum: 0 },
    testDisagreements: { type: 'integer', minimum: 0 },
  },
} as const;

/** The pieces whose size depends on the format: an image, a class index, a K x K matrix. */
function parts(format: ImageFormat) {
  const classes = format.classes.length;
  const values = pixelCount(format);
  const classIndex = { type: 'integer', minimum: 0, maximum: classes - 1 } as const;
  const image = { type: 'array', items: { type: 'number', minimum: 0, maximum: 255 }, minItems: values, maxItems: values } as const;
  const shownImage = {
    type: 'object',
    required: ['id', 'pixels'],
    properties: { id: integer, label: classIndex, pixels: image },
  } as const;
  const evaluation = {
    type: 'object',
    required: ['accuracy', 'count', 'confusion', 'perClass', 'misclassified'],
    properties: {
      accuracy: number,
      count: integer,
      confusion: { type: 'array', items: { type: 'array', items: number, minItems: classes, maxItems: classes }, minItems: classes, maxItems: classes },
      perClass: {
        type: 'array',
        items: { type: 'object', required: ['label', 'precision', 'recall', 'f1', 'support'], properties: { label: classIndex, precision: number, recall: number, f1: number, support: integer } },
      },
      misclassified: {
        type: 'array',
        items: { type: 'object', required: ['id', 'label', 'predicted', 'confidence'], properties: { id: integer, label: classIndex, predicted: classIndex, confidence: number } },
      },
    },
  } as const;
  return { classIndex, image, shownImage, evaluation };
}

/**
 * The schema of report-data.json's `eda` part for images of `format`: every image holds
 * `pixelCount(format)` values, the pixel map one row per position, labels index the classes.
 */
export function edaSchemaFor(format: ImageFormat): SchemaObject {
  const { classIndex, image, shownImage } = parts(format);
  const positions = format.width * format.height;
  return {
    type: 'object',
    required: ['images', 'distribution', 'digitStats', 'pixelStats', 'meanDigits', 'sample'],
    properties: {
      format: formatSchema,
      images: integer,
      distribution: { type: 'array', items: { type: 'object', required: ['label', 'count', 'share'], properties: { label: classIndex, count: integer, share: number } } },
      digitStats: {
        type: 'array',
        items: {
          type: 'object',
          required: ['label', 'count', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight'],
          properties: { label: classIndex, count: integer, meanIntensity: number, inkCoverage: number, bboxWidth: number, bboxHeight: number },
        },
      },
      pixelStats: {
        type: 'array',
        items: { type: 'object', required: ['pixel', 'mean', 'std'], properties: { pixel: { type: 'integer', minimum: 0, maximum: positions - 1 }, mean: number, std: number } },
        minItems: positions,
        maxItems: positions,
      },
      meanDigits: { type: 'array', items: { type: 'object', required: ['label', 'count', 'pixels'], properties: { label: classIndex, count: integer, pixels: image } } },
      sample: {
        type: 'object',
        required: ['rows', 'columns', 'digits'],
        properties: { rows: integer, columns: integer, digits: { type: 'array', items: shownImage } },
      },
    },
  } as const;
}

/**
 * The schema of report-data.json's `comparison` part for images of `format`. A model's `recipe`,
 * `seed` and `ensemble` are optional: files written before they were recorded load as they are.
 */
export function comparisonSchemaFor(format: ImageFormat): SchemaObject {
  const { classIndex, image, shownImage, evaluation } = parts(format);
  const modelMetrics = {
    type: 'object',
    required: ['model', 'backend', 'parameters', 'epochs', 'batchSize', 'history', 'valid', 'timings'],
    properties: {
      model: { type: 'string', minLength: 1 },
      backend: { type: 'string' },
      parameters: integer,
      epochs: integer,
      batchSize: integer,
      recipe: recipeSchema,
      seed: integer,
      ensemble: ensembleSchema,
      history: {
        type: 'array',
        items: {
          type: 'object',
          required: ['epoch', 'loss', 'accuracy', 'seconds', 'samplesPerSec'],
          properties: { epoch: integer, loss: number, accuracy: number, validLoss: number, validAccuracy: number, seconds: number, samplesPerSec: number },
        },
      },
      valid: evaluation,
      test: evaluation,
      timings: {
        type: 'object',
        required: ['trainSeconds', 'predictSeconds', 'samplesPerSec'],
        properties: { trainSeconds: number, predictSeconds: number, samplesPerSec: number },
      },
      testPredictions: { type: 'array', items: classIndex },
    },
  } as const;
  return {
    type: 'object',
    required: ['models', 'dataName', 'galleries'],
    properties: {
      format: formatSchema,
      models: { type: 'array', items: modelMetrics, minItems: 1 },
      dataName: { enum: ['test', 'validation'] },
      galleries: {
        type: 'array',
        items: {
          type: 'object',
          required: ['model', 'total', 'digits'],
          properties: {
            model: { type: 'string' },
            total: integer,
            digits: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'label', 'predicted', 'confidence', 'pixels'],
                properties: { id: integer, label: classIndex, predicted: classIndex, confidence: number, pixels: image },
              },
            },
          },
        },
      },
      disagreements: {
        type: 'object',
        required: ['digits'],
        properties: {
          digits: {
            type: 'array',
            items: { ...shownImage, required: ['id', 'pixels', 'predictions'], properties: { ...shownImage.properties, predictions: { type: 'array', items: classIndex } } },
          },
        },
      },
    },
  } as const;
}

/** The marker report-data.json's `format` field holds. */
export const REPORT_DATA_FORMAT = 'digit-flow-report-data';
/**
 * The file's version. Still 1: the image format each part records is optional (absent, the part is
 * the Digit Recognizer's), so files of the digit-only version load, and digit files load there; so
 * are a model's recipe, seed and ensemble summary.
 */
export const REPORT_DATA_VERSION = 1;

/**
 * The envelope of report-data.json: marker, version, and the parts' recorded formats; the parts
 * themselves are checked by {@link edaSchemaFor} and {@link comparisonSchemaFor}.
 */
export const reportDataSchema = {
  type: 'object',
  required: ['format', 'version'],
  properties: {
    format: { const: REPORT_DATA_FORMAT },
    version: { const: REPORT_DATA_VERSION },
    eda: { type: 'object', properties: { format: formatSchema } },
    comparison: { type: 'object', properties: { format: formatSchema } },
  },
} as const;
