/**
 * Benchmark: the recipe ladder (`digits run --recipe fast|best`) end to end, each in a fresh process,
 * with the held-out accuracy of every model's submission and the wall time, against issue 16's targets.
 *
 * Run: npm run bench:recipes [-- --recipes fast,best] [--data-seed N] [--backend wasm]
 *   (fast: about 4 minutes on 2 cores with the native backend; best: about 30)
 * --data-seed N writes another split of the same 70,000 digits (`digits data --seed N`) into
 * node_modules/.cache and runs on it as a user's own files, scored against that split's answers:
 * the recipes are chosen on seed 20742's validation split, and this checks that they carry over.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { kaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { RECIPE_NAMES, parseRecipeName, type RecipeName } from '../../lib/models/recipes.ts';
import { describeTimings, root, timedRun, type TimedRun } from './timedRun.ts';

const { values } = parseArgs({
  options: {
    recipes: { type: 'string', default: RECIPE_NAMES.join(',') },
    'data-seed': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  },
});
const recipes = values.recipes!.split(',').map(parseRecipeName);

/** Issue 16's targets: held-out accuracy per model and wall seconds. */
const TARGETS: Record<RecipeName, { seconds: number; accuracy: Record<string, number> }> = {
  fast: { seconds: 300, accuracy: { mlp: 0.985, cnn: 0.994 } },
  best: { seconds: 1800, accuracy: { cnn: 0.9965 } },
};

let dataArgs: string[] = [];
let answers = kaggleFiles(join(root, 'data')).testLabels;
if (values['data-seed'] !== undefined) {
  const dir = join(root, 'node_modules/.cache/digit-flow-bench', `data-${values['data-seed']}`);
  const files = kaggleFiles(dir);
  if (!existsSync(files.testLabels)) {
    await promisify(execFile)(process.execPath, [join(root, 'dist/pipelines/digits.js'), 'data', '--seed', values['data-seed'], '--out', dir]);
  }
  dataArgs = ['--train', files.train, '--test', files.test];
  answers = files.testLabels;
}

const rows: Array<{ recipe: RecipeName; run: TimedRun; met: boolean }> = [];
for (const recipe of recipes) {
  const run = await timedRun(['--recipe', recipe, '--backend', values.backend!, ...dataArgs], answers);
  const target = TARGETS[recipe];
  const checks = [
    `${run.wallSeconds.toFixed(0)} s ${run.wallSeconds <= target.seconds ? 'meets' : 'MISSES'} ${target.seconds} s`,
    ...Object.entries(target.accuracy).map(
      ([model, wanted]) => `${model} ${(100 * run.accuracy[model]).toFixed(2)}% ${run.accuracy[model] >= wanted ? 'meets' : 'MISSES'} ${(100 * wanted).toFixed(2)}%`,
    ),
  ];
  const met = run.wallSeconds <= target.seconds && Object.entries(target.accuracy).every(([model, wanted]) => run.accuracy[model] >= wanted);
  rows.push({ recipe, run, met });
  console.log(`--recipe ${recipe} on ${run.models[0]?.backend ?? '?'}, data ${values['data-seed'] ?? 'embedded default (seed 20742)'}, load ${run.loadBefore.toFixed(2)} -> ${run.loadAfter.toFixed(2)}: ${checks.join('; ')}`);
  for (const line of describeTimings(run)) console.log(line);
  const percents = (shares: Array<number | undefined>): string => shares.map((share) => (share === undefined ? '-' : `${(100 * share).toFixed(2)}%`)).join(', ');
  for (const { model, valid, ensemble } of run.models) {
    console.log(`  ${model}: validation ${percents([valid.accuracy])}, held out ${percents([run.accuracy[model]])}`);
    if (ensemble) {
      console.log(`  ${model} members alone: validation ${percents(ensemble.members.map((m) => m.validAccuracy))}; held out ${percents(ensemble.members.map((m) => m.testAccuracy))}`);
    }
  }
}
console.log(`\n| recipe | backend | wall | mlp held-out | cnn held-out | targets |\n| --- | --- | ---: | ---: | ---: | --- |`);
for (const { recipe, run, met } of rows) {
  const pct = (model: string): string => (run.accuracy[model] === undefined ? '-' : `${(100 * run.accuracy[model]).toFixed(2)} %`);
  console.log(`| ${recipe} | ${run.models[0]?.backend} | ${run.wallSeconds.toFixed(0)} s | ${pct('mlp')} | ${pct('cnn')} | ${met ? 'met' : 'not met'} |`);
}
console.log(
  JSON.stringify({
    dataSeed: values['data-seed'] ?? 20742,
    recipes: rows.map(({ recipe, run, met }) => ({ recipe, backend: run.models[0]?.backend, wallSeconds: Number(run.wallSeconds.toFixed(1)), accuracy: run.accuracy, validAccuracy: Object.fromEntries(run.models.map((m) => [m.model, m.valid.accuracy])), met })),
  }),
);
