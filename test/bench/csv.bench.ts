/**
 * Benchmark: parse data/train.csv with the digit fast path and with arquero's fromCSV, in one run.
 * Run: npm run bench:csv   (writes data/ with `digits data` first if it is missing)
 * Prints rows/s and MB/s for each and their ratio, then one JSON line.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fromCSV } from 'arquero';
import { count, lastValueFrom } from 'rxjs';
import { readDigits } from '../../lib/io/digits.ts';
import { kaggleFiles, writeKaggleDefault } from '../../lib/io/kaggleDefault.ts';

const file = process.argv[2] ?? kaggleFiles('data').train;
if (!existsSync(file)) {
  console.log(`${file} is missing: writing the embedded default into data/ first`);
  await writeKaggleDefault('data');
}
const megabytes = statSync(file).size / 1e6;

async function time<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { seconds: (performance.now() - started) / 1000, result };
}

const RUNS = 5;
const fastRuns: number[] = [];
let rows = 0;
for (let i = 0; i < RUNS; i++) {
  const { seconds, result } = await time(() => lastValueFrom(readDigits(file).pipe(count())));
  fastRuns.push(seconds);
  rows = result;
}
fastRuns.sort((a, b) => a - b);
const fast = fastRuns[Math.floor(RUNS / 2)];

// arquero parses text: reading the file is included, as it is for the fast path
const slow = await time(async () => fromCSV(await readFile(file, 'utf8')).numRows());

const report = (name: string, seconds: number, n: number): void =>
  console.log(`${name.padEnd(28)} ${seconds.toFixed(3).padStart(7)} s  ${Math.round(n / seconds).toLocaleString('en-US').padStart(9)} rows/s  ${(megabytes / seconds).toFixed(1).padStart(6)} MB/s`);

console.log(`file: ${file} (${megabytes.toFixed(1)} MB, ${rows} rows); load average ${loadavg()[0].toFixed(2)}`);
report(`readDigits (median of ${RUNS})`, fast, rows);
report('arquero fromCSV', slow.seconds, slow.result);
const vsArquero = slow.seconds / fast;
console.log(`readDigits is ${vsArquero.toFixed(1)}x arquero`);
console.log(JSON.stringify({ mbPerSec: Number((megabytes / fast).toFixed(1)), vsArquero: Number(vsArquero.toFixed(1)) }));
