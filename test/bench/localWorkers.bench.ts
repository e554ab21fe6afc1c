/**
 * Benchmark: an ensemble's members on local worker processes, one thread a job (two processes on 2
 * cores, `localRunner`'s default) against two threads a job (one process, members one after another),
 * alternating, in one run. The members are real CNN training jobs on the first rows of the embedded
 * default's train.csv (the data pipeline and worker start-up are timed too, as a user's run has them).
 * Run: npm run bench:workers [-- --members 4 --epochs 2 --rows 12000 --rounds 2 --model cnn]
 * Prints each run's wall seconds, the medians and their ratio, then one JSON line.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { parseModelName } from '../../lib/models/createModel.ts';
import { kaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { fileReference } from '../../lib/jobs/jobData.ts';
import { resolvedRecipe, trainingJobs } from '../../lib/jobs/trainingJob.ts';
import { localRunner } from '../../lib/jobs/runners/localRunner.ts';
import { median } from './median.ts';
import { root } from './timedRun.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '4' },
    epochs: { type: 'string', default: '2' },
    rows: { type: 'string', default: '12000' },
    rounds: { type: 'string', default: '2' },
    model: { type: 'string', default: 'cnn' },
  },
});
const [members, epochs, rows, rounds] = [values.members, values.epochs, values.rows, values.rounds].map(Number);
const model = parseModelName(values.model!);
const cores = availableParallelism();
const files = kaggleFiles(join(root, 'data'));

// The first rows of the embedded default, as files a worker reads by reference.
const work = await mkdtemp(join(tmpdir(), 'digit-flow-workers-'));
const firstLines = async (path: string, count: number): Promise<string> => (await readFile(path, 'utf8')).split('\n').slice(0, count + 1).join('\n') + '\n';
await writeFile(join(work, 'train.csv'), await firstLines(files.train, rows));
await writeFile(join(work, 'test.csv'), await firstLines(files.test, Math.ceil(rows / 6)));
const data = { train: await fileReference(join(work, 'train.csv')), test: await fileReference(join(work, 'test.csv')), splitSeed: 20742 };
const recipe = resolvedRecipe(model, { epochs });

/** Wall seconds for every member to finish on a fresh runner of `threadsPerJob` threads and `workers` processes. */
async function timeEnsemble(threadsPerJob: number, workers: number, round: number): Promise<number> {
  const jobs = trainingJobs({ run: `bench-workers-${threadsPerJob}-${round}`, data, model, role: 'member', members: Array.from({ length: members }, (_, k) => ({ seed: k + 1, recipe })) });
  const runner = localRunner({ backend: 'native', threadsPerJob, workers });
  const started = performance.now();
  try {
    const outcomes = await lastValueFrom(runner.run(jobs).pipe(toArray()));
    const failed = outcomes.find((o) => o.type === 'failed');
    if (failed?.type === 'failed') throw new Error(`a member failed: ${failed.error}`);
    return (performance.now() - started) / 1000;
  } finally {
    await runner.close();
  }
}

const configs = [
  { label: `1 thread a job, ${cores} processes`, threadsPerJob: 1, workers: cores },
  { label: `${cores} threads a job, 1 process`, threadsPerJob: cores, workers: 1 },
];
console.log(`${members} ${model} members x ${epochs} epochs on ${Math.round(rows * 0.9)} training rows, native backend, ${cores} cores, load ${loadavg()[0].toFixed(2)}`);
const seconds: number[][] = configs.map(() => []);
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, config] of configs.entries()) {
      const s = await timeEnsemble(config.threadsPerJob, config.workers, round);
      seconds[i].push(s);
      console.log(`  ${config.label}: ${s.toFixed(1)} s (load ${loadavg()[0].toFixed(2)})`);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
const [oneThread, allThreads] = seconds.map(median);
console.log(`median: ${configs[0].label} ${oneThread.toFixed(1)} s, ${configs[1].label} ${allThreads.toFixed(1)} s: ${(allThreads / oneThread).toFixed(2)}x faster side by side`);
console.log(JSON.stringify({ members, model, epochs, rows, cores, oneThreadSeconds: seconds[0], allThreadsSeconds: seconds[1], speedup: +(allThreads / oneThread).toFixed(2) }));
