/**
 * Benchmark: the default main job (`digits run`, what `npm start` runs) end to end, timed as a user
 * meets it (a fresh process; the embedded default written first if data/ lacks it), then both
 * submissions scored against the held-out answers.
 * Run: npm run bench:e2e   (about 10 minutes on 2 cores)
 * Target on the 2-core machine (issue 15, native backend): within 240 s, mlp >= 98.5 % and cnn >= 99.3 %
 * held-out accuracy. The backend is the one `auto` picks; pass `--backend wasm` to time that path.
 */
import { join } from 'node:path';
import { kaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { describeTimings, root, timedRun } from './timedRun.ts';

const extra = process.argv.slice(2);
const run = await timedRun(extra, kaggleFiles(join(root, 'data')).testLabels);
const { wallSeconds, accuracy, models } = run;

const TARGET = { seconds: 240, mlp: 0.985, cnn: 0.993 };
const mark = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');
console.log(`digits run ${extra.join(' ')} on ${models[0]?.backend ?? '?'}: ${wallSeconds.toFixed(0)} s wall (${mark(wallSeconds <= TARGET.seconds)} of ${TARGET.seconds} s); load average before ${run.loadBefore.toFixed(2)}, after ${run.loadAfter.toFixed(2)}`);
console.log(`mlp held-out accuracy ${(100 * accuracy.mlp).toFixed(2)}% (${mark(accuracy.mlp >= TARGET.mlp)} of ${100 * TARGET.mlp}%)`);
console.log(`cnn held-out accuracy ${(100 * accuracy.cnn).toFixed(2)}% (${mark(accuracy.cnn >= TARGET.cnn)} of ${100 * TARGET.cnn}%)`);
for (const line of describeTimings(run)) console.log(line);
console.log(JSON.stringify({ backend: models[0]?.backend, wallSeconds: Number(wallSeconds.toFixed(1)), mlpAccuracy: accuracy.mlp, cnnAccuracy: accuracy.cnn }));
