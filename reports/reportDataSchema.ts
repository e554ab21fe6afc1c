/**
 * JSON schemas of report-data.json: enough to name the first wrong field of a hand-edited or stale
 * file. Lengths and class indices depend on the image format a file records, which one schema
 * cannot compare against, so the envelope (marker, version, the recorded formats) is checked first
 * and each part then against a schema made for its format.
 */
import type { SchemaObject } from 'ajv';
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

/** The schema of report-data.json's `comparison` part for images of `format`. */
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
 * the Digit Recognizer's), so files of the digit-only version load, and digit files load there.
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
