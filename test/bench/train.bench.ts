/**
 * Benchmark: training samples/s for the MLP (784-512-256-10) and CNN (conv32-pool-conv64-
 * pool-dense128-dense10), then for the two models `digits run` trains by default (job-mlp, job-cnn),
 * batch 128, Adam, on each backend configuration, in one run:
 *   wasm as shipped · wasm + our kernels on 1 thread · wasm + kernels on all cores · tensorflow (if installed)
 * Each configuration runs in its own process (a wasm module's thread count is fixed when it loads);
 * warm-up steps are excluded, inputs are pre-made random batches (the data pipeline is not timed).
 * Run: npm run bench:train [-- --seconds 6 --profile]
 * Besides wall-clock samples/s, each run reports samples per CPU-second of the process (all its
 * threads), which other people's load disturbs much less: it shows the work done, not the wait.
 * Ends with one JSON line for the configuration selectBackend() picks by default.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendOptions } from '../../lib/backend/selectBackend.ts';
import type { RunResult } from './train-run.ts';
import { NETWORKS, type NetworkName } from './train-networks.ts';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, profile: { type: 'boolean', default: false } } });
const seconds = Number(flags.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${flags.seconds}`);
const profile = flags.profile;
const cores = availableParallelism();

interface Config {
  label: string;
  options: BackendOptions;
}

const configs: Config[] = [
  { label: 'wasm as shipped (1 thread)', options: { backend: 'wasm', threads: 1, trainingKernels: false } },
  { label: 'wasm + kernels, 1 thread', options: { backend: 'wasm', threads: 1 } },
  ...(cores > 1 ? [{ label: `wasm + kernels, ${cores} threads`, options: { backend: 'wasm', threads: cores } } as Config] : []),
  { label: 'tensorflow (tfjs-node)', options: { backend: 'tensorflow' } },
];

const runner = fileURLToPath(new URL('./train-run.ts', import.meta.url));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`${cpus()[0]?.model ?? 'cpu'} x${cores}, load average ${load()} (other work on the machine makes figures noisy)`);
console.log(`batch 128, Adam, ${seconds} s per network after 3 warm-up steps\n`);

const results = new Map<string, RunResult | string>();
for (const config of configs) {
  const result = run(config);
  results.set(config.label, result);
  console.log(config.label.padEnd(30), describe(result));
}

const shipped = results.get(configs[0].label);
if (typeof shipped !== 'string' && shipped) {
  console.log('\nspeed-up against wasm as shipped:');
  for (const [label, result] of results) {
    if (typeof result === 'string') continue;
    const ratios = NETWORKS.map((network) => `${network} ${ratio(result.samplesPerSec[network], shipped.samplesPerSec[network])}`);
    console.log(`  ${label.padEnd(30)} ${ratios.join(', ')}`);
  }
}

if (profile) {
  for (const [label, result] of results) {
    if (typeof result === 'string' || !result.profile) continue;
    console.log(`\nprofile, mean of 5 steps, ${label} (ms per kernel, calls):`);
    for (const [network, kernels] of Object.entries(result.profile)) {
      const total = kernels.reduce((sum, k) => sum + k.ms, 0);
      const top = kernels.slice(0, 8).map((k) => `${k.kernel} ${k.ms.toFixed(1)} (${k.calls})`);
      console.log(`  ${network}: ${total.toFixed(1)} ms in kernels; ${top.join(', ')}`);
    }
  }
}

// What selectBackend() picks with no options: tensorflow when it loads, else wasm on all cores.
const tensorflow = results.get('tensorflow (tfjs-node)');
const chosen = typeof tensorflow !== 'string' && tensorflow ? 'tensorflow (tfjs-node)' : configs[configs.length - 2].label;
const best = results.get(chosen) as RunResult | string;
console.log(`\nload average after: ${load()}`);
console.log(
  JSON.stringify({
    config: chosen,
    mlpSamplesPerSec: typeof best === 'string' ? null : round(best.samplesPerSec.mlp),
    cnnSamplesPerSec: typeof best === 'string' ? null : round(best.samplesPerSec.cnn),
    jobMlpSamplesPerSec: typeof best === 'string' ? null : round(best.samplesPerSec['job-mlp']),
    jobCnnSamplesPerSec: typeof best === 'string' ? null : round(best.samplesPerSec['job-cnn']),
  }),
);

/** One configuration in a child process; its result, or why it could not run. */
function run(config: Config): RunResult | string {
  try {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', runner, JSON.stringify({ ...config.options, seconds, profile })],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = output.split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) return 'no result';
    const parsed = JSON.parse(line) as RunResult | { error: string };
    return 'error' in parsed ? parsed.error : parsed;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    return stderr.split('\n').find((l) => /Error/.test(l))?.trim() ?? (error as Error).message.split('\n')[0];
  }
}

function describe(result: RunResult | string): string {
  if (typeof result === 'string') return `not run: ${result}`;
  const figure = (network: NetworkName): string =>
    result.samplesPerSec[network] !== undefined
      ? `${network} ${round(result.samplesPerSec[network])!.toLocaleString('en')} samples/s`
      : `${network} cannot train (${result.errors[network]})`;
  const perCpu = (network: NetworkName): string => `${network} ${round(result.samplesPerCpuSec[network]) ?? '-'}`;
  return `${NETWORKS.map(figure).join(', ')}  [${result.backend}, ${result.threads} thread(s); per CPU-second: ${NETWORKS.map(perCpu).join(', ')}]`;
}

function ratio(value: number | undefined, base: number | undefined): string {
  if (value === undefined) return 'n/a';
  if (base === undefined) return 'shipped cannot train';
  return `x${(value / base).toFixed(1)}`;
}

function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value);
}
