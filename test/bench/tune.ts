/**
 * Recipe search: a small, seeded random search over a built-in model's training schedule, judged on
 * the validation split only. The held-out answers (test_labels.csv) are never read: the test file is
 * passed as the user's own, so the job data carry no answers, and only one test row is predicted.
 *
 * Run: npm run tune -- --model cnn --trials 12 --epochs 4 [--seed 1] [--data-seed 20742] [--backend auto]
 *   [--data-dir DIR] (Kaggle files of another split, from `digits data --seed N --out DIR`; default data/)
 *   [--first '<recipe JSON>' or '[<recipe JSON>, ...]'] (the first trials' recipes, default today's:
 *   `--trials 1 --first ...` scores one recipe, `--trials 3 --first '[a, b, c]'` compares three)
 *   [--queue redis://host:port] (the trials as jobs on a BullMQ queue that `digits worker` processes serve;
 *   default: worker processes of this machine, as many as the cores allow)
 * Each trial trains exactly its recipe (one drawn without jitter trains without it). Every trial is
 * appended as one JSON line to out/tune/<model>.jsonl as it finishes, in any order; the table at the
 * end ranks the trials by validation accuracy (then loss, then trial), and the last line is JSON.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { concatMap, lastValueFrom, toArray } from 'rxjs';
import { selectBackend } from '../../lib/backend/selectBackend.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { kaggleFiles, writeKaggleDefault } from '../../lib/io/kaggleDefault.ts';
import { dataReference } from '../../lib/jobs/jobData.ts';
import { localRunner } from '../../lib/jobs/runners/localRunner.ts';
import { queueRunner } from '../../lib/jobs/runners/queueRunner.ts';
import { rankTrials, runTrials } from '../../lib/jobs/runTrials.ts';
import { parseModelName } from '../../lib/models/createModel.ts';
import { RECIPES, type TrainingRecipe } from '../../lib/models/recipes.ts';
import type { ModelMetrics } from '../../lib/types.ts';
import { existsSync } from 'node:fs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'cnn' },
    trials: { type: 'string', default: '12' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'data-seed': { type: 'string', default: '20742' },
    backend: { type: 'string', default: 'auto' },
    first: { type: 'string' },
    'data-dir': { type: 'string' },
    queue: { type: 'string' },
  },
});
const model = parseModelName(values.model!);
const trials = Number(values.trials);
const searchSeed = Number(values.seed);
const dataSeed = Number(values['data-seed']);
const epochs = Number(values.epochs ?? RECIPES[model].epochs);

/** The search space: each trial draws one value per key, uniformly. */
const SPACE = {
  maxLearningRate: [2e-3, 4e-3, 6e-3, 1e-2],
  warmup: [0.1, 0.25, 0.4],
  betas: [[0.9, 0.999], [0.8, 0.99], [0.7, 0.9]],
  batchSize: [64, 128, 256],
  labelSmoothing: [0, 0.05, 0.1],
  weightDecay: [0, 0.01, 0.05],
  averageWeights: [undefined, 0.99, 0.998],
  augment: ['none', 'light', 'default'],
} as const;

const AUGMENT = {
  none: undefined,
  light: { maxShiftPx: 1, maxRotateDeg: 5, maxZoom: 0.05 },
  default: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 },
} as const;

function drawRecipe(random: () => number): TrainingRecipe {
  const pick = <T,>(options: readonly T[]): T => options[Math.floor(random() * options.length)];
  const [beta1, beta2] = pick(SPACE.betas);
  const augment = AUGMENT[pick(SPACE.augment)];
  return {
    epochs,
    batchSize: pick(SPACE.batchSize),
    maxLearningRate: pick(SPACE.maxLearningRate),
    warmup: pick(SPACE.warmup),
    beta1,
    beta2,
    labelSmoothing: pick(SPACE.labelSmoothing),
    weightDecay: pick(SPACE.weightDecay),
    averageWeights: pick(SPACE.averageWeights),
    ...(augment ? { augment: { ...augment } } : {}),
  };
}

const root = join(import.meta.dirname, '../..');
// another split of the digits (`digits data --seed N --out DIR`) checks a recipe on validation images it was not chosen on
const dataDir = values['data-dir'] ?? join(root, 'data');
const files = kaggleFiles(dataDir);
if (!existsSync(files.train)) await writeKaggleDefault(dataDir);
const backend = await selectBackend({ backend: values.backend as 'auto' });
// The test file as a user's own: no answers are referenced, the held-out labels stay unread, and
// one test row is predicted.
const data = await dataReference({ train: files.train, test: files.test, seed: dataSeed }, { train: files.train, test: files.test }, { test: 1 });
const runner = values.queue ? await queueRunner({ url: values.queue }) : localRunner({ backend: backend.name });
const log = join(root, 'out/tune', `${model}.jsonl`);
await mkdir(join(root, 'out/tune'), { recursive: true });
console.log(`tune ${model}: ${trials} trials of ${epochs} epochs on ${runner.description} (${backend.name}), search seed ${searchSeed}, data seed ${dataSeed}; load ${loadavg()[0].toFixed(2)}; log ${log}`);

const random = seededRandom(searchSeed);
// the first trial is today's recipe (or --first's), so the search is measured against it
const given: unknown = values.first === undefined ? RECIPES[model] : JSON.parse(values.first);
const firsts = (Array.isArray(given) ? given : [given]) as TrainingRecipe[];
if (firsts.length > trials) throw new Error(`--first gives ${firsts.length} recipes for ${trials} trials`);
const candidates: TrainingRecipe[] = [...firsts.map((first) => ({ ...first, epochs })), ...Array.from({ length: trials - firsts.length }, () => drawRecipe(random))];
const rowOf = (trial: number, metrics: ModelMetrics) => ({
  trial,
  validAccuracy: metrics.valid.accuracy,
  validLoss: metrics.history.at(-1)?.validLoss ?? NaN,
  seconds: metrics.timings.trainSeconds,
  recipe: candidates[trial],
});
const results = await lastValueFrom(
  runTrials({ model, recipes: candidates, seed: searchSeed, data, runner }).pipe(
    concatMap(async (result) => {
      if (result.type === 'trial-failed') {
        console.log(`trial ${result.trial}: failed after ${result.attempts} attempt(s): ${result.error}`);
        return result;
      }
      const row = rowOf(result.trial, result.metrics);
      await appendFile(log, `${JSON.stringify({ model, backend: result.metrics.backend, searchSeed, dataSeed, load: loadavg()[0], worker: result.worker, ...row })}\n`);
      console.log(`trial ${row.trial}: valid ${(100 * row.validAccuracy).toFixed(2)}% in ${row.seconds.toFixed(0)} s  ${describe(row.recipe)}`);
      return result;
    }),
    toArray(),
  ),
);
await runner.close();

function describe(r: TrainingRecipe): string {
  const aug = r.augment
    ? `aug ${r.augment.maxShiftPx}px/${r.augment.maxRotateDeg}deg/${r.augment.maxZoom}${r.augment.maxElasticPx ? `/elastic ${r.augment.maxElasticPx}px@${r.augment.elasticGridPx ?? 4}px` : ''}`
    : 'no aug';
  const shape = r.architecture ? `${JSON.stringify(r.architecture)} ` : '';
  return `${shape}${r.tta ? 'tta ' : ''}lr ${r.maxLearningRate} warmup ${r.warmup ?? 0.25} betas ${r.beta1 ?? 0.9}/${r.beta2 ?? 0.999} batch ${r.batchSize} smooth ${r.labelSmoothing ?? 0} wd ${r.weightDecay ?? 0} ema ${r.averageWeights ?? '-'} ${aug}`;
}

const rows = rankTrials(results).map((result) => rowOf(result.trial, result.metrics));
console.log(`\n| rank | trial | valid acc | train s | recipe |\n| ---: | ---: | ---: | ---: | --- |`);
rows.forEach((row, rank) => console.log(`| ${rank + 1} | ${row.trial} | ${(100 * row.validAccuracy).toFixed(2)} % | ${row.seconds.toFixed(0)} | ${describe(row.recipe)} |`));
console.log(JSON.stringify({ model, backend: backend.name, epochs, trials, best: rows[0] }));
