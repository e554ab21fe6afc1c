import { createHash } from 'node:crypto';
import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import { DEFAULT_JITTER } from '../data/affine.ts';
import { augmentOptionsProperties } from '../data/augmentSchema.ts';
import { MAX_CLASSES, MAX_SIDE, type ImageSize } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { MODEL_NAMES, type ModelName } from '../models/createModel.ts';
import { RECIPES, type TrainingRecipe } from '../models/recipes.ts';
import type { ModelMetrics } from '../types.ts';
import type { ModelPredictions } from './trainModel.ts';

/*
 * The job model. A job is plain JSON: it travels to a worker process over IPC or through Redis, and
 * a worker checks it against the schema below before reading anything it names. Data travel by
 * reference: a path every worker can read and the file's SHA-256, checked before training.
 */

/** A file a job reads: a path every worker can read, and the SHA-256 of its content. */
export interface FileReference {
  /** Absolute, so that it names the same file on every machine that mounts the data at the same place. */
  path: string;
  /** Hex SHA-256 of the file: a worker whose copy differs refuses the job. */
  sha256: string;
}

/** How the referenced CSV files are laid out (the JSON-safe part of `CsvLayout`). */
export interface JobCsvLayout {
  header?: boolean;
  maxLineBytes?: number;
  size?: ImageSize;
  channelOrder?: 'interleaved' | 'planar';
  idColumn?: string;
}

/**
 * The data of a job, by reference: the files, and how to turn them into the train / validation /
 * test datasets exactly as the coordinator did (`readJobData` with the same split seed and layout).
 */
export interface DataReference {
  train: FileReference;
  test: FileReference;
  /** Held-out answers (the embedded default's `test_labels.csv`), to score the test predictions. */
  answers?: FileReference;
  /** Seed of the stratified train / validation split. */
  splitSeed: number;
  layout?: JobCsvLayout;
  classNames?: string[];
  /** Train, validate or predict on the first rows only (the CLI's `--quick`; a tuning search predicts one test row). */
  rows?: { train?: number; valid?: number; test?: number };
}

/** Version of the job and result formats: a worker refuses a job of another version. */
export const JOB_FORMAT_VERSION = 1;

/** Fields every job has. */
interface JobBase {
  version: typeof JOB_FORMAT_VERSION;
  /** Unique in its queue: `<run>.<role>-<index>`. Re-submitting the same id never runs the job twice. */
  id: string;
  /** The coordinator's run the job belongs to: a restarted coordinator resumes by it. */
  run: string;
  data: DataReference;
}

/**
 * One model trained on referenced data: a built-in model, its whole recipe (it trains with exactly
 * that: a field left out is not taken from the model's default recipe; see {@link resolvedRecipe}),
 * a seed, and which ensemble member or tuning trial it is. Its result is a {@link TrainingJobResult}.
 *
 * @example
 * const job: TrainingJob = {
 *   version: 1, kind: 'train', id: 'r1.member-2', run: 'r1', data, model: 'cnn',
 *   recipe: RECIPES.cnn, seed: memberSeed(20742, 2), role: 'member', index: 2,
 * };
 */
export interface TrainingJob extends JobBase {
  kind: 'train';
  model: ModelName;
  /** Every setting of the training, resolved by the coordinator (epochs, batch size, augmentation, ...). */
  recipe: TrainingRecipe;
  seed: number;
  role: 'member' | 'trial';
  /** From 1. */
  index: number;
}

/**
 * A job that trains nothing: the worker checks the payload and the referenced data (data roots and
 * content hashes, the same checks a training job passes), optionally holds for `holdMs`, and answers
 * with the files' sizes. For checking that workers can see the data, and for load tests of the
 * queue machinery that should not spend their time training.
 */
export interface ProbeJob extends JobBase {
  kind: 'probe';
  index: number;
  /** Milliseconds to hold before answering (at most 60,000). */
  holdMs?: number;
}

/** Any job a worker runs. */
export type JobSpec = TrainingJob | ProbeJob;

/** What a {@link TrainingJob} gives back. */
export interface TrainingJobResult {
  kind: 'train';
  jobId: string;
  /** As `trainModel` reports them (test accuracy included when the data reference has answers). */
  metrics: ModelMetrics;
  predictions: ModelPredictions;
  /** The saved model's files by name (`model.json`, `weights.bin`), as `DigitModel.save` writes them. */
  modelFiles: Record<string, Uint8Array>;
  /** `host:pid` of the process that ran it. */
  worker: string;
}

/** What a {@link ProbeJob} gives back: each referenced file's size, as the worker found it. */
export interface ProbeJobResult {
  kind: 'probe';
  jobId: string;
  files: Array<{ path: string; bytes: number }>;
  worker: string;
}

/** The result of any job. */
export type JobResult = TrainingJobResult | ProbeJobResult;

/** A payload that is not a valid job: it is refused, never retried (every worker would refuse it). */
export class JobPayloadError extends UserError {
  override name = 'JobPayloadError';
}

const idPattern = '^(?![0-9]+$)[A-Za-z0-9_.-]{1,200}$';
const fileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'sha256'],
  properties: {
    path: { type: 'string', minLength: 1, maxLength: 4096, pattern: '^/[^\\u0000]*$' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const;
const unit = (exclusiveMaximum: number) => ({ type: 'number', minimum: 0, exclusiveMaximum }) as const;
const positiveInt = (maximum: number) => ({ type: 'integer', minimum: 1, maximum }) as const;

/** JSON Schema of a {@link TrainingRecipe}: every field bounded, nothing else allowed. */
export const recipeSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['epochs', 'batchSize', 'maxLearningRate'],
  properties: {
    architecture: {
      type: 'object',
      additionalProperties: false,
      properties: {
        channels: { type: 'array', minItems: 1, maxItems: 32, items: positiveInt(65_536) },
        convsPerBlock: positiveInt(64),
        hidden: positiveInt(1_000_000),
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      },
    },
    epochs: positiveInt(10_000),
    batchSize: positiveInt(1_000_000),
    maxLearningRate: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
    warmup: { type: 'number', minimum: 0, maximum: 1 },
    beta1: unit(1),
    beta2: unit(1),
    labelSmoothing: unit(1),
    weightDecay: unit(1),
    averageWeights: unit(1),
    tta: { type: 'boolean' },
    members: positiveInt(1000),
    augment: { type: 'object', additionalProperties: false, properties: augmentOptionsProperties },
  },
};

const dataSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['train', 'test', 'splitSeed'],
  properties: {
    train: fileSchema,
    test: fileSchema,
    answers: fileSchema,
    splitSeed: { type: 'integer', minimum: 0 },
    layout: {
      type: 'object',
      additionalProperties: false,
      properties: {
        header: { type: 'boolean' },
        maxLineBytes: positiveInt(1 << 30),
        size: {
          type: 'object',
          additionalProperties: false,
          required: ['width', 'height', 'channels'],
          properties: { width: positiveInt(MAX_SIDE), height: positiveInt(MAX_SIDE), channels: { enum: [1, 3] } },
        },
        channelOrder: { enum: ['interleaved', 'planar'] },
        idColumn: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    classNames: { type: 'array', minItems: 2, maxItems: MAX_CLASSES, items: { type: 'string', minLength: 1, maxLength: 200 } },
    rows: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { train: positiveInt(1e9), valid: positiveInt(1e9), test: positiveInt(1e9) },
    },
  },
} as const;

const common = {
  version: { const: JOB_FORMAT_VERSION },
  id: { type: 'string', pattern: idPattern },
  run: { type: 'string', pattern: idPattern },
  data: dataSchema,
  index: positiveInt(1_000_000),
} as const;

/** JSON Schema of a {@link JobSpec}: a worker runs nothing that fails it. */
export const jobSchema: SchemaObject = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['train', 'probe'] } },
  if: { properties: { kind: { const: 'train' } } },
  then: {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'kind', 'id', 'run', 'data', 'model', 'recipe', 'seed', 'role', 'index'],
    properties: {
      ...common,
      kind: { const: 'train' },
      model: { enum: [...MODEL_NAMES] },
      recipe: recipeSchema,
      seed: { type: 'integer', minimum: 0 },
      role: { enum: ['member', 'trial'] },
    },
  },
  else: {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'kind', 'id', 'run', 'data', 'index'],
    properties: { ...common, kind: { const: 'probe' }, holdMs: { type: 'integer', minimum: 0, maximum: 60_000 } },
  },
};

const ajv = new Ajv({ strict: false, allErrors: false });
const validateJob: ValidateFunction = ajv.compile(jobSchema);

/**
 * `payload` as a job, checked against {@link jobSchema}; anything else is a one-line
 * {@link JobPayloadError} naming the first wrong field.
 *
 * @example
 * const job = parseJob(bullJob.data); // throws "job payload: field /recipe/epochs must be >= 1"
 */
export function parseJob(payload: unknown): JobSpec {
  if (!validateJob(payload)) {
    const first = validateJob.errors?.find((e) => e.keyword !== 'if') ?? validateJob.errors?.[0];
    const field = first?.instancePath || '/';
    const extra = first?.keyword === 'additionalProperties' ? ` (${(first.params as { additionalProperty: string }).additionalProperty})` : '';
    throw new JobPayloadError(`job payload: field ${field} ${first?.message ?? 'is invalid'}${extra}`);
  }
  return payload as JobSpec;
}

/**
 * A run id derived from what the jobs compute, so that the same command, run again, finds the jobs
 * of its earlier attempt (and their results) instead of starting over.
 *
 * @example
 * const run = runIdFor({ data, model: 'cnn', recipe, seeds: [1, 1001, 2001] }); // 'r-3fa2c1d0e4b5'
 */
export function runIdFor(content: unknown): string {
  return `r-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12)}`;
}

/** The id of job `index` (from 1) of role `role` in run `run`: `r-3fa2c1d0e4b5.member-2`. */
export function jobId(run: string, role: TrainingJob['role'] | 'probe', index: number): string {
  return `${run}.${role}-${index}`;
}

/**
 * The training jobs of an ensemble of `seeds.length` members, or of tuning trials: one job per seed
 * (or per recipe), ids from {@link jobId}.
 *
 * @example
 * const jobs = trainingJobs({ run, data, model: 'mlp', role: 'member', members: seeds.map((seed) => ({ seed, recipe })) });
 */
export function trainingJobs(options: {
  run: string;
  data: DataReference;
  model: ModelName;
  role: TrainingJob['role'];
  members: ReadonlyArray<{ seed: number; recipe: TrainingRecipe }>;
}): TrainingJob[] {
  const { run, data, model, role } = options;
  return options.members.map(({ seed, recipe }, k) => ({
    version: JOB_FORMAT_VERSION,
    kind: 'train',
    id: jobId(run, role, k + 1),
    run,
    data,
    model,
    recipe,
    seed,
    role,
    index: k + 1,
  }));
}

/** The overrides of a built-in model's recipe that `trainModel` takes (the CLI's --epochs, --batch-size, --augment). */
export interface RecipeOverrides {
  recipe?: Partial<TrainingRecipe>;
  epochs?: number;
  batchSize?: number;
  /** true: the recipe's jitter, or `DEFAULT_JITTER` when it has none; false: none. */
  augment?: boolean;
}

/**
 * The whole recipe a built-in model trains with under `overrides`, as one value a job carries: a
 * worker that trains with it (and augments exactly when it has `augment`) trains as `trainModel`
 * does with the same overrides.
 *
 * @example
 * resolvedRecipe('mlp', { epochs: 2, augment: false }); // RECIPES.mlp with 2 epochs and no augment
 */
export function resolvedRecipe(model: ModelName, overrides: RecipeOverrides = {}): TrainingRecipe {
  const recipe: TrainingRecipe = { ...RECIPES[model], ...overrides.recipe };
  if (overrides.epochs !== undefined) recipe.epochs = overrides.epochs;
  if (overrides.batchSize !== undefined) recipe.batchSize = overrides.batchSize;
  if (overrides.augment === false) delete recipe.augment;
  else if (overrides.augment === true && !recipe.augment) recipe.augment = { ...DEFAULT_JITTER };
  // JSON has no undefined: a field set to undefined is a field left out
  return JSON.parse(JSON.stringify(recipe)) as TrainingRecipe;
}

/** `train mlp member 2 (seed 1001)` or `probe 7`, for progress lines and errors. */
export function describeJob(job: JobSpec): string {
  return job.kind === 'probe' ? `probe ${job.index}` : `${job.model} ${job.role} ${job.index} (seed ${job.seed})`;
}
