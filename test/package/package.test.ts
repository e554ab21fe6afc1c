/**
 * The npm package as a user gets it: packed, installed from the tarball into an empty project with no
 * overrides (packages come from npm's cache, --prefer-offline), then used from plain Node, from strict
 * TypeScript (README's examples) and through the installed `digits` bin, with no tsx anywhere.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKaggleCsvs } from '../helpers/kaggleCsvs.ts';
import { tempDir } from '../helpers/files.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

/** npm's own variables from `npm test` would make the consumer's npm act on this project. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(package|lifecycle)_|npm_config_local_prefix$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** README's runnable examples: the ```ts block after each `<!-- example: NAME -->`. */
async function readmeExamples(): Promise<Map<string, string>> {
  const text = await readFile(join(root, 'README.md'), 'utf8');
  const examples = new Map<string, string>();
  for (const match of text.matchAll(/<!-- example: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g)) examples.set(match[1], match[2]);
  return examples;
}

/** Every relative import reachable from `entry` in compiled JavaScript, with its bare imports. */
async function importGraph(entry: string): Promise<{ files: string[]; bare: Set<string>; usesBuffer: string[] }> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const usesBuffer: string[] = [];
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(file, 'utf8');
    if (/\bBuffer\b/.test(code)) usesBuffer.push(file);
    for (const [, spec] of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  }
  return { files: [...seen], bare, usesBuffer };
}

let work: string;
let tarball: string;
let packed: string[];
let consumer: string;

beforeAll(async () => {
  expect(existsSync(join(root, 'dist/lib/index.js')), 'dist/ is missing: run `npm run build` (npm test does) first').toBe(true);
  work = await tempDir('digit-flow-package-');
  // dist/ is built by the test command; packing without scripts never rewrites it under other tests
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, env: cleanEnv() });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info.filename);
  packed = info.files.map((f) => f.path);

  consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  await run('npm', ['install', tarball, '@types/node@20', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: consumer,
    env: cleanEnv(),
    timeout: 150_000,
  });
  await writeKaggleCsvs(join(consumer, 'data'), 400, 100);
  // Fashion-MNIST's layout for README's `images` example: pixel columns from 1, both files labelled
  const [header, ...rows] = (await readFile(join(consumer, 'data/train.csv'), 'utf8')).trim().split('\n');
  const fashionHeader = header.replace(/pixel(\d+)/g, (_, k: string) => `pixel${Number(k) + 1}`);
  await writeFile(join(consumer, 'fashion-mnist_train.csv'), [fashionHeader, ...rows.slice(0, 320), ''].join('\n'));
  await writeFile(join(consumer, 'fashion-mnist_test.csv'), [fashionHeader, ...rows.slice(320), ''].join('\n'));
}, 240_000);

afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

describe('the packed tarball', () => {
  it('holds dist/, README, LICENSE and the native backend\'s sources, and nothing else', () => {
    const outside = packed.filter((path) => !path.startsWith('dist/'));
    expect(outside.sort()).toEqual([
      'LICENSE',
      'README.md',
      'binding.gyp',
      'native/install.mjs',
      'native/src/backend/addon.cc',
      'native/src/backend/conv.cc',
      'native/src/backend/kernels.h',
      'native/src/backend/loops.cc',
      'package.json',
    ]);
    expect(packed.filter((path) => /^(test|\.ci|docs)\//.test(path) || path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    for (const entry of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/charts/index.js', 'dist/reports/index.js', 'dist/pipelines/digits.js']) {
      expect(packed).toContain(entry);
    }
  });

  it('passes publint and arethetypeswrong (esm-only)', async () => {
    const extracted = join(work, 'extracted');
    await mkdir(extracted);
    await run('tar', ['xzf', tarball, '-C', extracted]);
    const publint = await run(bin('publint'), [join(extracted, 'package'), '--pack', 'false', '--strict']);
    expect(publint.stdout).toMatch(/All good/);
    // attw exits non-zero on any problem in the profile's resolution modes
    const attw = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
    expect(attw.stdout).toMatch(/node16 \(from ESM\): 🟢/);
    expect(attw.stdout).not.toMatch(/❌|💀 Resolution failed.*\n(?!.*ignored)/);
  }, 60_000);

  it('keeps digit-flow/charts free of Node modules, so the chart builders run in a browser', async () => {
    const graph = await importGraph(join(consumer, 'node_modules/digit-flow/dist/lib/charts/index.js'));
    expect(graph.files.length).toBeGreaterThan(10);
    expect([...graph.bare].filter((spec) => spec.startsWith('node:') || ['fs', 'path', 'zlib', 'buffer'].includes(spec))).toEqual([]);
    expect(graph.usesBuffer.map((f) => relative(consumer, f))).toEqual([]);
  });
});

describe('installed into an empty project with no overrides', () => {
  it('resolves one copy of tfjs and rxjs (the peers) and no tsx', async () => {
    const modules = join(consumer, 'node_modules');
    expect(existsSync(join(modules, 'digit-flow/node_modules/@tensorflow'))).toBe(false);
    expect(existsSync(join(modules, 'digit-flow/node_modules/rxjs'))).toBe(false);
    expect(existsSync(join(modules, 'tsx'))).toBe(false);
    const flechette = JSON.parse(await readFile(join(modules, '@uwdata/flechette/package.json'), 'utf8')) as { version: string };
    expect(flechette.version).toMatch(/^2\.6\./);
  });

  it('works from a plain .mjs consumer: read, normalise, split, train, predict with its own tensors, submission, report', async () => {
    await writeFile(
      join(consumer, 'consumer.mjs'),
      `
import * as tf from '@tensorflow/tfjs';
import { firstValueFrom, from, lastValueFrom, of, toArray } from 'rxjs';
import { concatPredictions, createMlp, normalize, predict, readDigits, selectBackend, splitTrainValid, toDataset, train, writeSubmission } from 'digit-flow';
import { distributionChart } from 'digit-flow/charts';
import { writeEdaReport } from 'digit-flow/reports';

const backend = await selectBackend();
const before = tf.memory().numTensors;
const { train: trainSet, valid } = await firstValueFrom(
  readDigits('data/train.csv').pipe(normalize(), splitTrainValid({ validFraction: 0.25, seed: 7 }), toDataset()),
);
const mlp = createMlp({ seed: 1 });
// our operator in the consumer's own rxjs pipe
const events = await lastValueFrom(of(trainSet).pipe(train(mlp, { epochs: 1, batchSize: 50, valid }), toArray()));
// a batch made with the consumer's own tf goes through our predict operator, which disposes it
const test = await lastValueFrom(readDigits('data/test.csv').pipe(normalize(), toArray()));
const xs = tf.tensor2d(Float32Array.from(test.flatMap((r) => Array.from(r.pixels))), [test.length, 784]);
const batches = from([{ xs, ids: Int32Array.from(test, (r) => r.id) }]);
const prediction = concatPredictions(await lastValueFrom(batches.pipe(predict(mlp), toArray())));
await writeSubmission('out/submission.csv', prediction.ids, prediction.labels);
const eda = await writeEdaReport('out/eda', 'data/train.csv', { rows: 2 });
mlp.dispose();
const spec = distributionChart([{ label: 0, count: 3, share: 1 }]);
console.log(JSON.stringify({
  backend: backend.name,
  epochs: events.filter((e) => e.type === 'epoch').length,
  validAccuracy: events.at(-1).history.at(-1).validAccuracy,
  predicted: prediction.ids.length,
  eda: eda.html,
  charts: eda.charts.length,
  leaked: tf.memory().numTensors - before,
  specSchema: spec.$schema,
}));
`,
    );
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer, timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    // npm install built the native backend from the tarball's sources where it could (CI must).
    const built = existsSync(join(consumer, 'node_modules/digit-flow/build/Release/digit_flow_native.node'));
    if (process.env.REQUIRE_NATIVE === '1') expect(built, 'npm install did not build the native backend').toBe(true);
    expect(result.backend).toBe(built ? 'native' : 'wasm');
    expect(result.epochs).toBe(1);
    expect(result.validAccuracy).toBeGreaterThan(0.5);
    expect(result.predicted).toBe(100);
    expect(result.leaked).toBe(0);
    expect(result.charts).toBeGreaterThan(3);
    expect(result.specSchema).toMatch(/vega-lite/);
    const submission = (await readFile(join(consumer, 'out/submission.csv'), 'utf8')).trim().split('\n');
    expect(submission[0]).toBe('ImageId,Label');
    expect(submission).toHaveLength(101);
    expect(await readFile(join(consumer, 'out/eda/eda.html'), 'utf8')).toMatch(/<svg/);
  }, 150_000);

  it("type-checks README's examples under tsc --strict --module nodenext, and runs them", async () => {
    const examples = await readmeExamples();
    expect([...examples.keys()].sort()).toEqual(['ensemble', 'images', 'pipeline', 'report']);
    const dir = join(consumer, 'examples');
    await mkdir(dir);
    for (const [name, code] of examples) await writeFile(join(dir, `${name}.ts`), code);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], outDir: 'build', skipLibCheck: true },
        include: ['*.ts'],
      }),
    );
    const tsc = await run(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((error: { stdout: string }) => error);
    expect(tsc.stdout, 'tsc reported errors').toBe('');

    const pipeline = await run(process.execPath, ['examples/build/pipeline.js'], { cwd: consumer, timeout: 60_000 });
    const [, trainSize, validSize] = /train (\d+), valid (\d+)/.exec(pipeline.stdout) ?? [];
    expect(Number(trainSize) + Number(validSize)).toBe(400);
    expect(pipeline.stdout).toContain(`epoch 1: ${trainSize} images`);

    const report = await run(process.execPath, ['examples/build/report.js'], { cwd: consumer, timeout: 120_000 });
    expect(report.stdout).toMatch(/open out\/report\.html/);
    const html = await readFile(join(consumer, 'out/report.html'), 'utf8');
    expect(html).toContain('mine vs mlp');
    const images = await run(process.execPath, ['examples/build/images.js'], { cwd: consumer, timeout: 120_000 });
    expect(images.stdout).toContain('28x28x1, classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot');
    expect(images.stdout).toMatch(/cnn: test accuracy [01]\.\d{3}/);
    const ensemble = await run(process.execPath, ['examples/build/ensemble.js'], { cwd: consumer, timeout: 120_000 });
    expect(ensemble.stdout).toMatch(/ensemble of 3: validation accuracy [01]\.\d{3} \(members alone: [01]\.\d{3}, [01]\.\d{3}, [01]\.\d{3}\)/);
    expect((await readdir(join(consumer, 'out-ensemble'))).sort()).toEqual(['metrics-mlp.json', 'model-mlp', 'submission-mlp.csv']);
    const fashion = (await readFile(join(consumer, 'out-fashion/submission-cnn.csv'), 'utf8')).trim().split('\n');
    expect(fashion).toHaveLength(81);
    const out = await readdir(join(consumer, 'out'));
    expect(out).toEqual(expect.arrayContaining(['submission-mine.csv', 'submission-mlp.csv', 'model-mine', 'model-mlp', 'metrics-mine.json']));
  }, 300_000);

  it('type-checks our own .d.ts with skipLibCheck off', async () => {
    const dir = join(consumer, 'strict');
    await mkdir(dir);
    await writeFile(
      join(dir, 'use.ts'),
      `import { readDigits, type DigitModel, type ModelMetrics } from 'digit-flow';
import { confusionMatricesChart } from 'digit-flow/charts';
import { runJob, type RunOptions } from 'digit-flow/reports';
export const sources = [readDigits, confusionMatricesChart, runJob];
export type Used = [DigitModel, ModelMetrics, RunOptions];
// the types are real, not any: a wrong argument is an error (an unused expect-error would be one too)
// @ts-expect-error readDigits takes a path
readDigits(42);
`,
    );
    const { stdout } = await run(
      bin('tsc'),
      ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', 'use.ts'],
      { cwd: dir },
    ).catch((error: { stdout: string }) => error);
    // our declaration files and the consumer's file are judged here; third-party declarations are theirs
    const errors = stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors.filter((line) => !line.includes('node_modules/') || line.includes('node_modules/digit-flow/'))).toEqual([]);
  }, 60_000);

  it('runs the installed digits bin: --help, check, and a quick whole run', async () => {
    const digits = join(consumer, 'node_modules/.bin/digits');
    const help = await run(digits, ['--help'], { cwd: consumer });
    expect(help.stdout).toMatch(/Usage: digits/);
    const check = await run(digits, ['check', 'data/train.csv'], { cwd: consumer });
    expect(check.stdout).toMatch(/data\/train\.csv: OK, 400 rows, labelled/);
    const quick = await run(digits, ['run', '--quick', '--quiet', '--models', 'mlp', '--train', 'data/train.csv', '--test', 'data/test.csv', '--out', 'out-run'], {
      cwd: consumer,
      timeout: 150_000,
    });
    expect(quick.stdout).toMatch(/mlp: validation accuracy/);
    expect(await readdir(join(consumer, 'out-run'))).toEqual(expect.arrayContaining(['report.html', 'submission-mlp.csv', 'metrics.json']));
  }, 180_000);
});
