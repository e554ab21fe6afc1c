/** JSON schema of report-data.json: enough to name the first wrong field of a hand-edited or stale file. */

const number = { type: 'number' } as const;
const integer = { type: 'integer' } as const;
const digit = { type: 'integer', minimum: 0, maximum: 9 } as const;
const image = { type: 'array', items: { type: 'number', minimum: 0, maximum: 255 }, minItems: 784, maxItems: 784 } as const;
const shownDigit = {
  type: 'object',
  required: ['id', 'pixels'],
  properties: { id: integer, label: digit, pixels: image },
} as const;

const evaluation = {
  type: 'object',
  required: ['accuracy', 'count', 'confusion', 'perClass', 'misclassified'],
  properties: {
    accuracy: number,
    count: integer,
    confusion: { type: 'array', items: { type: 'array', items: number, minItems: 10, maxItems: 10 }, minItems: 10, maxItems: 10 },
    perClass: {
      type: 'array',
      items: { type: 'object', required: ['label', 'precision', 'recall', 'f1', 'support'], properties: { label: digit, precision: number, recall: number, f1: number, support: integer } },
    },
    misclassified: {
      type: 'array',
      items: { type: 'object', required: ['id', 'label', 'predicted', 'confidence'], properties: { id: integer, label: digit, predicted: digit, confidence: number } },
    },
  },
} as const;

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
    testPredictions: { type: 'array', items: digit },
  },
} as const;

const eda = {
  type: 'object',
  required: ['images', 'distribution', 'digitStats', 'pixelStats', 'meanDigits', 'sample'],
  properties: {
    images: integer,
    distribution: { type: 'array', items: { type: 'object', required: ['label', 'count', 'share'], properties: { label: digit, count: integer, share: number } } },
    digitStats: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label', 'count', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight'],
        properties: { label: digit, count: integer, meanIntensity: number, inkCoverage: number, bboxWidth: number, bboxHeight: number },
      },
    },
    pixelStats: {
      type: 'array',
      items: { type: 'object', required: ['pixel', 'mean', 'std'], properties: { pixel: integer, mean: number, std: number } },
      minItems: 784,
      maxItems: 784,
    },
    meanDigits: { type: 'array', items: { type: 'object', required: ['label', 'count', 'pixels'], properties: { label: digit, count: integer, pixels: image } } },
    sample: {
      type: 'object',
      required: ['rows', 'columns', 'digits'],
      properties: { rows: integer, columns: integer, digits: { type: 'array', items: shownDigit } },
    },
  },
} as const;

const comparison = {
  type: 'object',
  required: ['models', 'dataName', 'galleries'],
  properties: {
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
            items: { type: 'object', required: ['id', 'label', 'predicted', 'confidence', 'pixels'], properties: { id: integer, label: digit, predicted: digit, confidence: number, pixels: image } },
          },
        },
      },
    },
    disagreements: {
      type: 'object',
      required: ['digits'],
      properties: {
        digits: { type: 'array', items: { ...shownDigit, required: ['id', 'pixels', 'predictions'], properties: { ...shownDigit.properties, predictions: { type: 'array', items: digit } } } },
      },
    },
  },
} as const;

export const REPORT_DATA_FORMAT = 'digit-flow-report-data';
export const REPORT_DATA_VERSION = 1;

export const reportDataSchema = {
  type: 'object',
  required: ['format', 'version'],
  properties: {
    format: { const: REPORT_DATA_FORMAT },
    version: { const: REPORT_DATA_VERSION },
    eda,
    comparison,
  },
} as const;

