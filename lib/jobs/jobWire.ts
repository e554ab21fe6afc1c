import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import type { Prediction } from '../operators/predict.ts';
import type { ModelMetrics } from '../types.ts';
import { JOB_FORMAT_VERSION, type JobResult, type JobSpec } from './trainingJob.ts';

/*
 * A job's result as JSON, for the way back from a worker process or through Redis: typed arrays
 * (ids, labels, probabilities, the model's weights) as base64 of their little-endian bytes.
 */

/** A {@link Prediction} as JSON: each typed array as base64 of its bytes. */
export interface EncodedPrediction {
  ids: string;
  labels: string;
  classes: number;
  probabilities: string;
  truth?: string;
}

/** A {@link JobResult} as JSON (see {@link encodeJobResult}). */
export type EncodedJobResult =
  | {
      version: typeof JOB_FORMAT_VERSION;
      kind: 'train';
      jobId: string;
      worker: string;
      metrics: ModelMetrics;
      predictions: { valid: EncodedPrediction; test: EncodedPrediction };
      /** File name -> base64 content. */
      modelFiles: Record<string, string>;
    }
  | {
      version: typeof JOB_FORMAT_VERSION;
      kind: 'probe';
      jobId: string;
      worker: string;
      files: Array<{ path: string; bytes: number }>;
    };

const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;
const predictionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ids', 'labels', 'classes', 'probabilities'],
  properties: { ids: base64, labels: base64, classes: { type: 'integer', minimum: 1, maximum: 256 }, probabilities: base64, truth: base64 },
} as const;
const evaluationSchema = { type: 'object', required: ['accuracy', 'count', 'confusion'], properties: { accuracy: { type: 'number' }, count: { type: 'integer' } } } as const;

/** JSON Schema of an {@link EncodedJobResult}: a coordinator takes nothing else back from a worker. */
export const jobResultSchema: SchemaObject = {
  type: 'object',
  required: ['version', 'kind', 'jobId', 'worker'],
  properties: { version: { const: JOB_FORMAT_VERSION }, kind: { enum: ['train', 'probe'] }, jobId: { type: 'string' }, worker: { type: 'string', maxLength: 300 } },
  if: { properties: { kind: { const: 'train' } } },
  then: {
    required: ['metrics', 'predictions', 'modelFiles'],
    properties: {
      metrics: {
        type: 'object',
        required: ['model', 'backend', 'parameters', 'epochs', 'batchSize', 'history', 'valid', 'timings'],
        properties: {
          model: { type: 'string' },
          backend: { type: 'string' },
          parameters: { type: 'integer', minimum: 0 },
          epochs: { type: 'integer', minimum: 1 },
          batchSize: { type: 'integer', minimum: 1 },
          history: { type: 'array', items: { type: 'object', required: ['epoch', 'loss', 'accuracy'] } },
          valid: evaluationSchema,
          test: evaluationSchema,
          timings: { type: 'object', required: ['trainSeconds', 'predictSeconds', 'samplesPerSec'] },
        },
      },
      predictions: { type: 'object', additionalProperties: false, required: ['valid', 'test'], properties: { valid: predictionSchema, test: predictionSchema } },
      modelFiles: {
        type: 'object',
        minProperties: 1,
        maxProperties: 16,
        propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' },
        additionalProperties: base64,
      },
    },
  },
  else: {
    required: ['files'],
    properties: {
      files: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['path', 'bytes'], properties: { path: { type: 'string' }, bytes: { type: 'integer', minimum: 0 } } } },
    },
  },
};

const ajv = new Ajv({ strict: false });
const validateResult: ValidateFunction = ajv.compile(jobResultSchema);

/**
 * A job's result as JSON for the way back to the coordinator.
 *
 * @example
 * process.send?.({ type: 'done', result: encodeJobResult(result) });
 */
export function encodeJobResult(result: JobResult): EncodedJobResult {
  if (result.kind === 'probe') return { version: JOB_FORMAT_VERSION, ...result };
  const modelFiles: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(result.modelFiles)) modelFiles[name] = toBase64(bytes);
  return {
    version: JOB_FORMAT_VERSION,
    kind: 'train',
    jobId: result.jobId,
    worker: result.worker,
    // JSON as the metrics file has it (NaN as null, no undefined fields)
    metrics: JSON.parse(JSON.stringify(result.metrics)) as ModelMetrics,
    predictions: { valid: encodePrediction(result.predictions.valid), test: encodePrediction(result.predictions.test) },
    modelFiles,
  };
}

/**
 * The result a worker sent back for `job`, checked against {@link jobResultSchema} and the job (its
 * id and kind, one prediction row per id, one probability per class); anything else is an `Error`
 * naming the job and the first wrong field.
 *
 * @example
 * const result = decodeJobResult(bullJob.returnvalue, job);
 */
export function decodeJobResult(value: unknown, job: JobSpec): JobResult {
  const fail = (problem: string): Error => new Error(`result of job ${job.id}: ${problem}`);
  if (!validateResult(value)) {
    const first = validateResult.errors?.find((e) => e.keyword !== 'if') ?? validateResult.errors?.[0];
    throw fail(`field ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const encoded = value as EncodedJobResult;
  if (encoded.jobId !== job.id || encoded.kind !== job.kind) throw fail(`it is the result of ${encoded.kind} job ${encoded.jobId}`);
  if (encoded.kind === 'probe') {
    const { version: _, ...result } = encoded;
    return result;
  }
  const modelFiles: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(encoded.modelFiles)) modelFiles[name] = fromBase64(text, Uint8Array, fail);
  const valid = decodePrediction(encoded.predictions.valid, 'valid', fail);
  if (!valid.truth) throw fail('field /predictions/valid has no true labels');
  return {
    kind: 'train',
    jobId: encoded.jobId,
    worker: encoded.worker,
    metrics: encoded.metrics,
    predictions: { valid, test: decodePrediction(encoded.predictions.test, 'test', fail) },
    modelFiles,
  };
}

function encodePrediction(prediction: Prediction): EncodedPrediction {
  return {
    ids: toBase64(prediction.ids),
    labels: toBase64(prediction.labels),
    classes: prediction.classes,
    probabilities: toBase64(prediction.probabilities),
    ...(prediction.truth ? { truth: toBase64(prediction.truth) } : {}),
  };
}

function decodePrediction(encoded: EncodedPrediction, part: string, fail: (problem: string) => Error): Prediction {
  const ids = fromBase64(encoded.ids, Int32Array, fail);
  const prediction: Prediction = {
    ids,
    labels: fromBase64(encoded.labels, Uint8Array, fail),
    classes: encoded.classes,
    probabilities: fromBase64(encoded.probabilities, Float32Array, fail),
    ...(encoded.truth === undefined ? {} : { truth: fromBase64(encoded.truth, Uint8Array, fail) }),
  };
  const rows = ids.length;
  if (prediction.labels.length !== rows || prediction.probabilities.length !== rows * encoded.classes || (prediction.truth && prediction.truth.length !== rows)) {
    throw fail(`field /predictions/${part}: ${rows} ids, ${prediction.labels.length} labels and ${prediction.probabilities.length} probabilities for ${encoded.classes} classes do not match`);
  }
  return prediction;
}

function toBase64(array: ArrayBufferView): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

type TypedArrayOf<T> = { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number };

function fromBase64<T>(text: string, type: TypedArrayOf<T>, fail: (problem: string) => Error): T {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % type.BYTES_PER_ELEMENT !== 0) throw fail(`a field of ${bytes.byteLength} bytes is not a whole number of ${type.BYTES_PER_ELEMENT}-byte values`);
  // a copy: aligned, and independent of Node's shared buffer pool
  return new type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}
