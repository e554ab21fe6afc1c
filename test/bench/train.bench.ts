/**
 * Benchmark: training samples/s for the issue's MLP (784-512-256-10) and CNN (conv32-pool-conv64-
 * pool-dense128-dense10), then for the two models `digits run` trains by default (job-mlp, job-cnn),
 * batch 128, Adam, on each backend configuration and in PyTorch, in one run:
 *   native on all cores · native on 1 thread · wasm as shipped · wasm + our kernels on 1 thread ·
 *   wasm + kernels on all cores · tensorflow (if installed) ·
 *   PyTorch as installed · PyTorch tuned (test/bench/torch_train.py, the same four networks)
 * Every run is a process of its own (a wasm module's thread count is fixed when it loads). Native,
 * wasm on all cores and PyTorch, which the final table compares, run one network at a time, back to
 * back, in `--rounds` rounds (default 3): their figures are medians over the rounds, and a ratio is
 * the median of the rounds' ratios, each of two runs made next to each other, so that the shared
 * machine's drift between rounds cancels. The other rows then run all four networks in one process
 * each, once. Warm-up steps are excluded,
 * inputs are pre-made random batches (the data pipeline is not timed).
 * A configuration whose backend cannot be selected (native not built, tfjs-node not installed) says
 * `not run: <reason>`; without an importable torch, PyTorch is skipped with one line.
 * Run: npm run bench:train [-- --seconds 6 --rounds 3 --profile]
 * Besides wall-clock samples/s, each run reports samples per CPU-second of the process (all its
 * threads), which other people's load disturbs much less: it shows the work done, not the wait.
 * Ends with the table "native vs PyTorch (same run)", which checks issue 15's targets (native /
 * PyTorch at least 1.0x on the CNNs, 1.5x on the MLPs), and one JSON line for the configuration
 * selectBackend()'s `auto` picks (native when it runs, else tensorflow, else wasm on all cores).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendOptions } from '../../lib/backend/selectBackend.ts';
import type { KernelTime, RunResult } from './train-run.ts';
import { median } from './median.ts';
import { BATCH, NETWORKS, takesImages, WARMUP_STEPS, type NetworkName } from './train-networks.ts';

const { values: flags } = parseArgs({
  options: { seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '3' }, profile: { type: 'boolean', default: false } },
});
const seconds = Number(flags.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${flags.seconds}`);
const roundCount = Number(flags.rounds);
if (!(Number.isInteger(roundCount) && roundCount >= 1)) throw new Error(`--rounds must be an integer >= 1, got ${flags.rounds}`);
const profile = flags.profile;
const cores = availableParallelism();

/** One network's figures in one row, or why that network could not train there. */
type Figure = { samplesPerSec: number; samplesPerCpuSec: number } | { error: string };

/** What one run gave: a figure per network it timed, or the reason the whole row cannot run. */
type Outcome =
  | { figures: Partial<Record<NetworkName, Figure>>; about: string; profile?: Partial<Record<NetworkName, KernelTime[]>> }
  | { notRun: string };

/** A row of the bench: a tfjs backend configuration or a PyTorch set-up, and what it measured. */
interface Row {
  label: string;
  /** Times these networks in child processes. */
  run(networks: readonly NetworkName[]): Outcome;
  /** Set once a run says the row cannot run at all; its remaining networks are skipped. */
  notRun?: string;
  /** What ran, from the first run that trained, e.g. "wasm, 2 thread(s)". */
  about?: string;
  /** Each round's figures (one round for the rows outside the head-to-head). */
  rounds: Array<Partial<Record<NetworkName, Figure>>>;
  /** Per network the median over the rounds, or the error when no round trained it. */
  figures: Partial<Record<NetworkName, Figure>>;
  profile: Partial<Record<NetworkName, KernelTime[]>>;
}

/**
 * Targets for native / PyTorch samples/s on the same network in the same run: issue 15's for its MLP
 * and CNN, and the same bars, our own, for the job's two models.
 */
const TARGETS: Record<NetworkName, number> = { mlp: 1.5, cnn: 1.0, 'job-mlp': 1.5, 'job-cnn': 1.0 };
/** The networks whose targets issue 15 sets. */
const ISSUE_NETWORKS: readonly NetworkName[] = ['mlp', 'cnn'];

const runner = fileURLToPath(new URL('./train-run.ts', import.meta.url));
const torchScript = fileURLToPath(new URL('./torch_train.py', import.meta.url));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

// The native backend arrives with issue 15; until selectBackend accepts 'native', its rows say `not run`.
const NATIVE = 'native' as BackendOptions['backend'];
const native = tfjsRow('native (all cores)', { backend: NATIVE });
const nativeOneThread = tfjsRow('native, 1 thread', { backend: NATIVE, threads: 1 });
const shipped = tfjsRow('wasm as shipped (1 thread)', { backend: 'wasm', threads: 1, trainingKernels: false });
const wasmOneThread = tfjsRow('wasm + kernels, 1 thread', { backend: 'wasm', threads: 1 });
// The threaded wasm build takes at most 8 threads (selectBackend refuses more).
const wasmThreads = Math.min(cores, 8);
const wasm = wasmThreads > 1 ? tfjsRow(`wasm + kernels, ${wasmThreads} threads`, { backend: 'wasm', threads: wasmThreads }) : wasmOneThread;
const tensorflow = tfjsRow('tensorflow (tfjs-node)', { backend: 'tensorflow' });

console.log(`${cpus()[0]?.model ?? 'cpu'} x${cores}, load average ${load()} (other work on the machine makes figures noisy)`);
console.log(`batch ${BATCH}, Adam, ${seconds} s per network after ${WARMUP_STEPS} warm-up steps, ${roundCount} round(s) of the head-to-head`);
const torch = findTorch();
const [torchAsInstalled, torchTuned] = typeof torch === 'string' ? [] : [torchRow(torch, false), torchRow(torch, true)];
if (typeof torch === 'string') console.log(`PyTorch: skipped (python3-torch not importable: ${torch})`);
else console.log(`PyTorch ${torch.version} (${torch.python}), ${cores} threads`);

const rows = [native, nativeOneThread, shipped, wasmOneThread, ...(wasm === wasmOneThread ? [] : [wasm]), tensorflow];
if (torchAsInstalled && torchTuned) rows.push(torchAsInstalled, torchTuned);
// The rows the final table compares run back to back, one network at a time (native always next to
// PyTorch tuned, usually the faster PyTorch), in reverse order on every other network so that neither
// side always goes first while the shared machine's load drifts. The other rows are compared only
// with each other: they run afterwards, all networks in one process each, to save start-up time.
const headToHead = [native, torchTuned, torchAsInstalled, wasm].filter((row): row is Row => row !== undefined);
const others = rows.filter((row) => !headToHead.includes(row));

console.log(`\nruns (load average after each):`);
for (let round = 0; round < roundCount; round++) {
  NETWORKS.forEach((network, i) => {
    for (const row of (i + round) % 2 ? [...headToHead].reverse() : headToHead) runOnce(row, [network], round);
  });
}
for (const row of others) runOnce(row, NETWORKS, 0);
for (const row of rows) row.figures = medianFigures(row);

console.log('\nper configuration:');
for (const row of rows) console.log(`${row.label.padEnd(30)} ${describe(row)}`);
printSpeedUps();
if (profile) printProfiles();
printComparison();
console.log(`\nload average after: ${load()}`);
console.log(JSON.stringify(summary()));

/** A tfjs configuration: each run is one train-run.ts process timing the networks asked for. */
function tfjsRow(label: string, options: BackendOptions): Row {
  return { label, run: (networks) => runTfjs(options, networks), rounds: [], figures: {}, profile: {} };
}

/** Runs networks of a row in a round (unless the row already could not run); one progress line per network. */
function runOnce(row: Row, networks: readonly NetworkName[], round: number): void {
  if (row.notRun !== undefined) return;
  const outcome = row.run(networks);
  if ('notRun' in outcome) {
    row.notRun = outcome.notRun;
    console.log(`  ${networks.length === 1 ? networks[0].padEnd(8) : 'all'.padEnd(8)} ${row.label.padEnd(30)} not run: ${outcome.notRun}`);
    return;
  }
  row.about ||= outcome.about;
  Object.assign((row.rounds[round] ??= {}), outcome.figures);
  Object.assign(row.profile, outcome.profile);
  for (const network of networks) {
    const figure = row.rounds[round][network];
    const text = !figure ? 'no figure' : 'error' in figure ? `cannot train (${figure.error})` : `${format(figure.samplesPerSec)} samples/s`;
    const which = roundCount > 1 && headToHead.includes(row) ? `round ${round + 1} ` : '';
    console.log(`  ${which}${network.padEnd(8)} ${row.label.padEnd(30)} ${text}  (load ${load()})`);
  }
}

/** Per network the median of the rounds that trained it (samples/s and per CPU-second apart), else the first error. */
function medianFigures(row: Row): Partial<Record<NetworkName, Figure>> {
  const figures: Partial<Record<NetworkName, Figure>> = {};
  for (const network of NETWORKS) {
    const all = row.rounds.map((round) => round[network]).filter((f): f is Figure => f !== undefined);
    const trained = all.filter((f): f is Extract<Figure, { samplesPerSec: number }> => 'samplesPerSec' in f);
    if (trained.length > 0) {
      figures[network] = { samplesPerSec: median(trained.map((f) => f.samplesPerSec)), samplesPerCpuSec: median(trained.map((f) => f.samplesPerCpuSec)) };
    } else if (all.length > 0) figures[network] = all[0];
  }
  return figures;
}

/** Networks in one train-run.ts process; a selectBackend rejection makes the whole row `not run`. */
function runTfjs(options: BackendOptions, networks: readonly NetworkName[]): Outcome {
  const failed = (error: string): Outcome => ({ figures: Object.fromEntries(networks.map((network) => [network, { error }])), about: '' });
  let result: RunResult | { error: string };
  try {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', runner, JSON.stringify({ ...options, seconds, profile, networks })],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = output.split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) return failed('no result');
    result = JSON.parse(line) as RunResult | { error: string };
  } catch (error) {
    // A crash fails these networks, not the row: another run of it may still work.
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    return failed(stderr.split('\n').find((l) => /Error/.test(l))?.trim() ?? (error as Error).message.split('\n')[0]);
  }
  if ('error' in result) return { notRun: result.error };
  const figure = (network: NetworkName): Figure => {
    const samplesPerSec = result.samplesPerSec[network];
    return samplesPerSec === undefined
      ? { error: result.errors[network] ?? 'no figure' }
      : { samplesPerSec, samplesPerCpuSec: result.samplesPerCpuSec[network] ?? Number.NaN };
  };
  return {
    figures: Object.fromEntries(networks.map((network) => [network, figure(network)])),
    about: `${result.backend}, ${result.threads} thread(s)`,
    profile: result.profile,
  };
}

/**
 * The interpreter for torch_train.py and torch's version, or why torch cannot be imported: $PYTHON,
 * else /usr/bin/python3 (Debian's python3-torch; a pyenv shim first on PATH may lack torch), else python3.
 */
function findTorch(): { python: string; version: string } | string {
  const python = process.env.PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return { python, version: probe.stdout.trim() };
  const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? `exit code ${probe.status}`;
  return `${python}: ${why}`;
}

/**
 * PyTorch on all cores. `tuned` is the fastest set-up the native spike found for Debian's build
 * (native/SPIKE.md), which keeps an OpenBLAS pthreads pool beside its OpenMP pool, the two spinning
 * against each other on 2 cores: for the CNNs channels_last tensors and OPENBLAS_NUM_THREADS=1, for
 * the MLPs OMP_WAIT_POLICY=passive. Both are set per process, before torch loads.
 */
function torchRow(torch: { python: string; version: string }, tuned: boolean): Row {
  const setUp = tuned ? 'CNNs channels_last + OPENBLAS_NUM_THREADS=1, MLPs OMP_WAIT_POLICY=passive' : 'default environment';
  const run = (networks: readonly NetworkName[]): Outcome => {
    const figures: Partial<Record<NetworkName, Figure>> = {};
    for (const network of networks) {
      const figure = runTorch(torch.python, network, tuned);
      if (typeof figure === 'string') return { notRun: figure };
      figures[network] = figure;
    }
    return { figures, about: `torch ${torch.version}, ${cores} thread(s), ${setUp}` };
  };
  return { label: tuned ? 'PyTorch tuned' : 'PyTorch as installed', run, rounds: [], figures: {}, profile: {} };
}

/**
 * One network in torch_train.py, in a process of its own so that the tuning environment applies before
 * torch loads; a string when torch cannot load.
 */
function runTorch(python: string, network: NetworkName, tuned: boolean): Figure | string {
  const image = takesImages(network);
  const tuning = !tuned ? {} : image ? { OPENBLAS_NUM_THREADS: '1' } : { OMP_WAIT_POLICY: 'passive' };
  const args = ['--nets', network, '--seconds', String(seconds), '--warmup', String(WARMUP_STEPS), '--batch', String(BATCH), '--threads', String(cores)];
  const out = spawnSync(python, [torchScript, ...args, ...(tuned && image ? ['--channels-last'] : [])], {
    encoding: 'utf8',
    env: { ...process.env, ...tuning },
    timeout: (seconds + 120) * 1000,
  });
  const lastLine = (text: string | null): string => (text ?? '').trim().split('\n').pop() ?? '';
  if (out.status === 3) return lastLine(out.stderr);
  if (out.status !== 0) return { error: lastLine(out.stderr) || out.error?.message || `exit code ${out.status}` };
  const result = JSON.parse(lastLine(out.stdout)) as { samplesPerSec: number; samplesPerCpuSec: number };
  return { samplesPerSec: result.samplesPerSec, samplesPerCpuSec: result.samplesPerCpuSec };
}

/** Samples/s of a row on a network (the median, or one round's), if it trained there. */
function speed(row: Row | undefined, network: NetworkName, round?: number): number | undefined {
  const figure = round === undefined ? row?.figures[network] : row?.rounds[round]?.[network];
  return figure && 'samplesPerSec' in figure ? figure.samplesPerSec : undefined;
}

/** Whether a row trained at least one network (its backend was selected and worked). */
function ran(row: Row): boolean {
  return NETWORKS.some((network) => speed(row, network) !== undefined);
}

/** The faster of PyTorch's two rows on a network (medians, or one round's): the baseline the targets are read against. */
function fasterTorch(network: NetworkName, round?: number): number | undefined {
  const figures = [speed(torchAsInstalled, network, round), speed(torchTuned, network, round)].filter((x): x is number => x !== undefined);
  return figures.length ? Math.max(...figures) : undefined;
}

function describe(row: Row): string {
  if (row.notRun !== undefined) return `not run: ${row.notRun}`;
  const figure = (network: NetworkName): string => {
    const f = row.figures[network];
    if (!f) return `${network} -`;
    return 'error' in f ? `${network} cannot train (${f.error})` : `${network} ${format(f.samplesPerSec)} samples/s`;
  };
  const perCpu = (network: NetworkName): string => {
    const f = row.figures[network];
    return `${network} ${f && 'samplesPerCpuSec' in f ? Math.round(f.samplesPerCpuSec) : '-'}`;
  };
  return `${NETWORKS.map(figure).join(', ')}  [${row.about ?? '?'}; per CPU-second: ${NETWORKS.map(perCpu).join(', ')}]`;
}

function printSpeedUps(): void {
  if (!ran(shipped)) return;
  console.log('\nspeed-up against wasm as shipped:');
  for (const row of rows.filter(ran)) {
    const ratios = NETWORKS.map((network) => {
      const value = speed(row, network);
      const base = speed(shipped, network);
      return `${network} ${value === undefined ? 'n/a' : base === undefined ? 'shipped cannot train' : `x${(value / base).toFixed(1)}`}`;
    });
    console.log(`  ${row.label.padEnd(30)} ${ratios.join(', ')}`);
  }
}

function printProfiles(): void {
  for (const row of rows) {
    const entries = Object.entries(row.profile);
    if (entries.length === 0) continue;
    console.log(`\nprofile, mean of 5 steps, ${row.label} (ms per kernel, calls):`);
    for (const [network, kernels] of entries) {
      const total = kernels.reduce((sum, k) => sum + k.ms, 0);
      const top = kernels.slice(0, 8).map((k) => `${k.kernel} ${k.ms.toFixed(1)} (${k.calls})`);
      console.log(`  ${network}: ${total.toFixed(1)} ms in kernels; ${top.join(', ')}`);
    }
  }
}

/**
 * Per network: native, wasm on all cores and PyTorch samples/s, the ratios, and whether the issue's
 * target holds. Targets are read against the faster PyTorch row (the stricter baseline); the ratio
 * against PyTorch as installed is shown beside it.
 */
function printComparison(): void {
  console.log('\nnative vs PyTorch (same run), samples/s; ratios and targets against "PyTorch", the faster of its two rows');
  console.log(`(native: ${native.label}; wasm: ${wasm.label}):`);
  const header = ['network', 'native', 'wasm', 'PyTorch as installed', 'PyTorch tuned', 'native/PyTorch', 'native/as installed', 'wasm/PyTorch'];
  const table = NETWORKS.map((network) => {
    const torchBest = fasterTorch(network);
    return [
      network,
      format(speed(native, network)),
      format(speed(wasm, network)),
      format(speed(torchAsInstalled, network)),
      format(speed(torchTuned, network)),
      times(nativeRatio(network)),
      times(ratioOf(speed(native, network), speed(torchAsInstalled, network))),
      times(ratioOf(speed(wasm, network), torchBest)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => cells[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`  ${line(header)}  target (native/PyTorch)`);
  NETWORKS.forEach((network, i) => console.log(`  ${line(table[i])}  ${verdict(network)}`));
  if (roundCount > 1) {
    console.log(`samples/s are medians of ${roundCount} rounds; native/PyTorch is the median of the rounds' own ratios:`);
    for (const network of NETWORKS) console.log(`  ${network.padEnd(8)} ${roundRatios(network).map(times).join(', ') || '-'}`);
  }
}

/** Each round's native / the faster PyTorch of that round on a network, where both trained. */
function roundRatios(network: NetworkName): number[] {
  return native.rounds.flatMap((_, round) => ratioOf(speed(native, network, round), fasterTorch(network, round)) ?? []);
}

/** native / the faster PyTorch on a network: the median of the rounds' ratios, when both trained. */
function nativeRatio(network: NetworkName): number | undefined {
  const ratios = roundRatios(network);
  return ratios.length ? median(ratios) : undefined;
}

function ratioOf(value: number | undefined, base: number | undefined): number | undefined {
  return value === undefined || base === undefined ? undefined : value / base;
}

/** Whether a network meets its target: true / false, or null when native or PyTorch did not train it. */
function targetMet(network: NetworkName): boolean | null {
  const ratio = nativeRatio(network);
  return ratio === undefined ? null : ratio >= TARGETS[network];
}

function verdict(network: NetworkName): string {
  const target = `>= ${TARGETS[network].toFixed(1)}x`;
  const met = targetMet(network);
  const whose = ISSUE_NETWORKS.includes(network) ? '' : " (our own target, beyond the issue's)";
  if (met !== null) return `${target}: ${met ? 'met' : 'NOT MET'}${whose}`;
  return `${target}: not checked (${speed(native, network) === undefined ? 'native' : 'PyTorch'} did not run)`;
}

/**
 * The final JSON line: the configuration `auto` picks (native when it runs, else tensorflow, else wasm
 * on all cores) with its samples/s as before, then native, wasm and PyTorch samples/s per network,
 * native / PyTorch ratios and the targets; null where a row did not run.
 */
function summary(): Record<string, unknown> {
  const chosen = [native, tensorflow].find(ran) ?? wasm;
  const perNetwork = <T>(value: (network: NetworkName) => T | undefined): Record<NetworkName, T | null> =>
    Object.fromEntries(NETWORKS.map((network) => [network, value(network) ?? null])) as Record<NetworkName, T | null>;
  const samples = (row: Row | undefined) => perNetwork((network) => round(speed(row, network)));
  const ratios = (base: (network: NetworkName) => number | undefined) =>
    perNetwork((network) => hundredths(ratioOf(speed(native, network), base(network))));
  return {
    config: chosen.label,
    auto: 'native when it runs, else tensorflow, else wasm on all cores',
    mlpSamplesPerSec: round(speed(chosen, 'mlp')) ?? null,
    cnnSamplesPerSec: round(speed(chosen, 'cnn')) ?? null,
    jobMlpSamplesPerSec: round(speed(chosen, 'job-mlp')) ?? null,
    jobCnnSamplesPerSec: round(speed(chosen, 'job-cnn')) ?? null,
    nativeSamplesPerSec: samples(native),
    wasmSamplesPerSec: samples(wasm),
    pytorchSamplesPerSec: perNetwork((network) => round(fasterTorch(network))),
    pytorchAsInstalledSamplesPerSec: samples(torchAsInstalled),
    pytorchTunedSamplesPerSec: samples(torchTuned),
    nativeVsPytorch: perNetwork((network) => hundredths(nativeRatio(network))),
    nativeVsPytorchByRound: perNetwork((network) => roundRatios(network).map((ratio) => hundredths(ratio)!)),
    nativeVsPytorchAsInstalled: ratios((network) => speed(torchAsInstalled, network)),
    targets: TARGETS,
    targetsMet: perNetwork(targetMet),
  };
}

function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value);
}

function hundredths(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 100) / 100;
}

function format(value: number | undefined): string {
  return value === undefined ? '-' : Math.round(value).toLocaleString('en');
}

function times(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)}x`;
}
