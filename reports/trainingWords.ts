import { DEFAULT_JITTER } from '../lib/data/affine.ts';
import { TTA_SHIFTS } from '../lib/data/shift.ts';
import { listWords } from '../lib/charts/words.ts';
import type { CnnArchitecture } from '../lib/models/cnn.ts';
import { isArchitectureList, type TrainingRecipe } from '../lib/models/recipes.ts';
import type { ModelMetrics } from '../lib/types.ts';

/** The one-cycle schedule's warm-up share when a recipe gives none (as `oneCycle` defaults it). */
const DEFAULT_WARMUP = 0.25;
/** Adam's betas when a recipe gives none (as `ScheduledAdam` defaults them). */
const DEFAULT_BETAS = [0.9, 0.999] as const;

/** `x` to three significant digits, without float noise: 0.30000000000000004 -> '0.3'. */
function plain(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** A rate as people write it: 4e-3, 5e-4, but 0.01 and 0.1. */
function rate(x: number): string {
  return x > 0 && x < 0.01 ? Number(x.toPrecision(3)).toExponential() : plain(x);
}

function percent(share: number): string {
  return `${plain(share * 100)}%`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * `jitter ±2 px / ±10° / ±10% zoom / elastic ±2 px every 4 px`, the limits a recipe leaves out at
 * their defaults; undefined when every limit is 0.
 */
function jitterWords(augment: NonNullable<TrainingRecipe['augment']>): string | undefined {
  const { maxShiftPx, maxRotateDeg, maxZoom, maxElasticPx, elasticGridPx } = { ...DEFAULT_JITTER, ...augment };
  const limits = [
    maxShiftPx > 0 && `±${plain(maxShiftPx)} px`,
    maxRotateDeg > 0 && `±${plain(maxRotateDeg)}°`,
    maxZoom > 0 && `±${percent(maxZoom)} zoom`,
    maxElasticPx > 0 && `elastic ±${plain(maxElasticPx)} px every ${plain(elasticGridPx)} px`,
  ];
  const shown = limits.filter((limit): limit is string => typeof limit === 'string');
  return shown.length ? `jitter ${shown.join(' / ')}` : undefined;
}

/** `conv blocks 24/48 (2 convs each), dense 512, dropout 0.4`: only what the architecture sets; undefined when it sets nothing. */
function architectureWords(architecture: CnnArchitecture): string | undefined {
  const { channels, convsPerBlock, hidden, dropout } = architecture;
  const convs = convsPerBlock === undefined ? '' : ` (${count(convsPerBlock, 'conv')} each)`;
  const parts = [
    channels ? `conv blocks ${channels.join('/')}${convs}` : convsPerBlock !== undefined && `${count(convsPerBlock, 'conv')} per block`,
    hidden !== undefined && `dense ${hidden}`,
    dropout !== undefined && `dropout ${plain(dropout)}`,
  ];
  const shown = parts.filter((part): part is string => typeof part === 'string');
  return shown.length ? shown.join(', ') : undefined;
}

/** `architectures in turn: the default; 2 convs per block`, for members that take a list's entries in turn. */
function architectureListWords(architectures: readonly CnnArchitecture[]): string {
  return `architectures in turn: ${architectures.map((architecture) => architectureWords(architecture) ?? 'the default').join('; ')}`;
}

/**
 * How a model was trained, in plain words: an ensemble's size and the architecture the recipe sets,
 * epochs, batch size, the one-cycle schedule and Adam's betas (their defaults named when the recipe
 * leaves them out), then only the extras it uses: label smoothing, weight decay, weight averaging,
 * test-time augmentation and jitter.
 *
 * @example
 * recipeWords({ epochs: 12, batchSize: 128, maxLearningRate: 4e-3, averageWeights: 0.998, tta: true })
 * // '12 epochs, batch 128, one-cycle to 4e-3 (warm-up 25%), Adam β 0.9/0.999, weight averaging (EMA 0.998),
 * //  test-time augmentation (5 shifts)'
 */
export function recipeWords(recipe: TrainingRecipe): string {
  const members = recipe.members ?? 1;
  const parts: Array<string | false | undefined> = [
    members > 1 && `${members} members averaged`,
    recipe.architecture && (isArchitectureList(recipe.architecture) ? architectureListWords(recipe.architecture) : architectureWords(recipe.architecture)),
    `${members > 1 ? 'each ' : ''}${count(recipe.epochs, 'epoch')}`,
    `batch ${recipe.batchSize}`,
    `one-cycle to ${rate(recipe.maxLearningRate)} (warm-up ${percent(recipe.warmup ?? DEFAULT_WARMUP)})`,
    `Adam β ${plain(recipe.beta1 ?? DEFAULT_BETAS[0])}/${plain(recipe.beta2 ?? DEFAULT_BETAS[1])}`,
    !!recipe.labelSmoothing && `label smoothing ${plain(recipe.labelSmoothing)}`,
    !!recipe.weightDecay && `weight decay ${rate(recipe.weightDecay)}`,
    !!recipe.averageWeights && `weight averaging (EMA ${plain(recipe.averageWeights)})`,
    recipe.tta === true && `test-time augmentation (${TTA_SHIFTS.length} shifts)`,
    recipe.augment && jitterWords(recipe.augment),
  ];
  return parts.filter((part): part is string => typeof part === 'string').join(', ');
}

/**
 * The line the report gives a model's training: its name, {@link recipeWords} of the recipe it
 * recorded, and its seed (an ensemble's: each member's seed). Metrics written before recipes were
 * recorded give epochs and batch size only.
 *
 * @example
 * trainingWords(cnnMetrics)
 * // 'cnn: 12 epochs, batch 128, one-cycle to 4e-3 (warm-up 25%), Adam β 0.9/0.999, jitter ±2 px / ±10° / ±10% zoom, seed 20742'
 */
export function trainingWords(metrics: ModelMetrics): string {
  const { ensemble } = metrics;
  const how = metrics.recipe
    ? recipeWords(ensemble ? { ...metrics.recipe, members: ensemble.members.length } : metrics.recipe)
    : `${count(metrics.epochs, 'epoch')}, batch ${metrics.batchSize} (the rest of the recipe was not recorded)`;
  const seeds = ensemble ? `seeds ${listWords(ensemble.members.map((m) => String(m.seed)))}` : metrics.seed === undefined ? undefined : `seed ${metrics.seed}`;
  return `${metrics.model}: ${seeds ? `${how}, ${seeds}` : how}`;
}
