/**
 * The measured spike of issue 15: one training step (forward + backward + Adam, batch 128, float32)
 * of the job's CNN (and MLP) in a small C++ addon of ours, over oneDNN 2.6 primitives, over Eigen 3.4
 * (im2col + GEMM) and over OpenBLAS (im2col + sgemm), beside PyTorch (test/bench/torch_cnn.py,
 * 2 threads) in the same run. See native/SPIKE.md for the figures and the recommendation.
 *
 * Build first: native/build.sh (Debian: g++, libdnnl-dev, libeigen3-dev, libopenblas-dev).
 * Run: node --import tsx test/bench/native-spike.ts [--seconds 5] [--repeats 3] [--nets cnn,mlp]
 *        [--variants onednn,onednn-blocked,eigen,openblas] [--builds spike,spike-avx2] [--check-only] [--no-check]
 *        [--profile]  (after the table: ms per step by phase of each variant's CNN step)
 *
 * First the correctness checks (conv forward of oneDNN against Eigen and OpenBLAS on one random
 * batch; 50 steps on one fixed random batch per variant: the loss must fall, and every variant
 * starts from the same weights and dropout masks, so their curves must agree), then `repeats`
 * rounds of every variant and PyTorch, in an order that rotates each round; warm-up steps excluded.
 * Prints a table of medians, ratios against PyTorch's median, and one final JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './median.ts';

interface BenchResult {
  steps: number;
  ms: number;
  msPerStep: number;
  samplesPerSec: number;
  cpuMs: number;
  samplesPerCpuSec: number;
  firstLoss: number;
  lastLoss: number;
}

interface SpikeAddon {
  info(): Record<string, string | number>;
  bench(net: string, variant: string, batch: number, warmupSteps: number, seconds: number, seed: number): BenchResult;
  lossCurve(net: string, variant: string, batch: number, steps: number, seed: number): number[];
  convCheck(batch: number, seed: number): Record<string, { onednnVsEigen: number; onednnVsOpenblas: number; maxAbsOutput: number }>;
  profile(net: string, variant: string, batch: number, steps: number, seed: number): Record<string, number>;
  setThreads(n: number): void;
}

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '3' },
    batch: { type: 'string', default: '128' },
    nets: { type: 'string', default: 'cnn,mlp' },
    variants: { type: 'string', default: 'onednn,onednn-blocked,eigen,openblas' },
    builds: { type: 'string', default: 'spike,spike-avx2' },
    'check-only': { type: 'boolean', default: false },
    'no-check': { type: 'boolean', default: false },
    'check-steps': { type: 'string', default: '50' },
    profile: { type: 'boolean', default: false },
  },
});
const seconds = Number(flags.seconds);
const repeats = Number(flags.repeats);
const batch = Number(flags.batch);
const checkSteps = Number(flags['check-steps']);
const nets = flags.nets.split(',').filter(Boolean);
const variants = flags.variants.split(',').filter(Boolean);
const WARMUP = 5;
const SEED = 42;

const nativeDir = fileURLToPath(new URL('../../native/build/', import.meta.url));
const torchScript = fileURLToPath(new URL('./torch_cnn.py', import.meta.url));
const require = createRequire(import.meta.url);
const cpuFlags = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const builds = flags.builds
  .split(',')
  .filter(Boolean)
  .filter((name) => name !== 'spike-avx2' || /\bavx2\b/.test(cpuFlags) && /\bfma\b/.test(cpuFlags));
const addons = new Map<string, SpikeAddon>();
for (const name of builds) {
  const file = `${nativeDir}${name}.node`;
  if (!existsSync(file)) {
    console.log(`native-spike: ${file} is missing: run native/build.sh first`);
    process.exit(1);
  }
  addons.set(name, require(file) as SpikeAddon);
}
const base = addons.values().next().value as SpikeAddon;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

console.log(`${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, load average ${load()}`);
console.log(`node ${process.version}`);
for (const [name, addon] of addons) console.log(`${name}.node: ${JSON.stringify(addon.info())}`);

// ---- correctness ---------------------------------------------------------------------------
interface Checks {
  conv?: ReturnType<SpikeAddon['convCheck']>;
  curves: Record<string, { first: number; last: number; decreased: boolean; maxDiffFromOnednn: number }>;
}
const checks: Checks = { curves: {} };
if (!flags['no-check']) {
  checks.conv = base.convCheck(32, SEED);
  console.log(`\nconv forward, one random batch of 32, max abs difference (outputs up to ~10):`);
  for (const [name, c] of Object.entries(checks.conv)) {
    console.log(`  ${name}: oneDNN vs Eigen ${c.onednnVsEigen.toExponential(2)}, oneDNN vs OpenBLAS ${c.onednnVsOpenblas.toExponential(2)} (max |y| ${c.maxAbsOutput.toFixed(2)})`);
  }
  console.log(`\n${checkSteps} steps on one fixed random batch of ${batch} (same weights and dropout masks in every variant):`);
  for (const net of nets) {
    const curves = new Map<string, number[]>();
    for (const variant of variants) curves.set(variant, base.lossCurve(net, variant, batch, checkSteps, SEED));
    const reference = curves.get('onednn') ?? [...curves.values()][0];
    for (const [variant, curve] of curves) {
      const first = curve[0];
      const last = curve[curve.length - 1];
      const maxDiff = Math.max(...curve.map((l, i) => Math.abs(l - reference[i])));
      const decreased = last < first / 2;
      checks.curves[`${net}/${variant}`] = { first: round(first, 4), last: round(last, 4), decreased, maxDiffFromOnednn: Number(maxDiff.toExponential(2)) };
      console.log(`  ${net} ${variant.padEnd(15)} loss ${first.toFixed(4)} -> ${last.toFixed(4)} ${decreased ? 'falls' : 'DOES NOT FALL'}; max |diff| from onednn's curve ${maxDiff.toExponential(2)}`);
    }
  }
}
if (flags['check-only']) process.exit(0);

// ---- PyTorch --------------------------------------------------------------------------------
function findTorchPython(): string | undefined {
  const candidates = [process.env.TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}
const python = findTorchPython();
if (!python) console.log('\nPyTorch: not importable (python3-torch absent): no baseline, no ratios');

/**
 * PyTorch's run. `tuned`: the fastest set-up measured on this 2-core machine with Debian's build
 * (1.13, OpenBLAS with its own pthreads pool beside PyTorch's OpenMP pool): for the CNN NHWC
 * (channels_last) tensors and single-threaded OpenBLAS, for the MLP OMP_WAIT_POLICY=passive, so the
 * two thread pools stop spinning against each other on two cores.
 */
function runTorch(net: string, tuned = false): BenchResult | string {
  const extra = tuned && net === 'cnn' ? ['--channels-last'] : [];
  const env = !tuned ? process.env : net === 'cnn' ? { ...process.env, OPENBLAS_NUM_THREADS: '1' } : { ...process.env, OMP_WAIT_POLICY: 'passive' };
  const out = spawnSync(python!, [torchScript, '--net', net, '--seconds', String(seconds), '--warmup', String(WARMUP), '--batch', String(batch), '--threads', String(availableParallelism()), ...extra], {
    encoding: 'utf8',
    env,
    timeout: (seconds + 120) * 1000,
  });
  if (out.status !== 0) return `failed: ${(out.stderr || out.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as BenchResult;
}

// ---- timing ---------------------------------------------------------------------------------
interface Entry {
  label: string;
  run: (net: string) => BenchResult | string | undefined;
}
const entries: Entry[] = [];
for (const [build, addon] of addons) {
  for (const variant of variants) entries.push({ label: `${variant}${build === 'spike' ? '' : ` (${build.replace('spike-', '')})`}`, run: (net) => addon.bench(net, variant, batch, WARMUP, seconds, SEED) });
}
if (python) {
  entries.push({ label: 'pytorch', run: (net) => runTorch(net) });
  entries.push({ label: 'pytorch tuned', run: (net) => runTorch(net, true) });
}

console.log(`\ntiming: batch ${batch}, ${WARMUP} warm-up steps, then ${seconds} s per run, ${repeats} rounds (order rotates)`);
const samples = new Map<string, { wall: number[]; cpu: number[]; ms: number[] }>();
const loads: string[] = [];
for (let r = 0; r < repeats; ++r) {
  loads.push(load());
  for (const net of nets) {
    const order = entries.map((_, i) => entries[(i + r) % entries.length]);
    for (const entry of r % 2 ? order.reverse() : order) {
      const result = entry.run(net);
      if (result === undefined) continue;
      const key = `${net}|${entry.label}`;
      if (typeof result === 'string') {
        console.log(`  round ${r + 1} ${net} ${entry.label}: ${result}`);
        continue;
      }
      const s = samples.get(key) ?? { wall: [], cpu: [], ms: [] };
      s.wall.push(result.samplesPerSec), s.cpu.push(result.samplesPerCpuSec), s.ms.push(result.msPerStep);
      samples.set(key, s);
      console.log(`  round ${r + 1} ${net.padEnd(3)} ${entry.label.padEnd(24)} ${result.samplesPerSec.toFixed(0).padStart(6)} samples/s  ${result.msPerStep.toFixed(2).padStart(7)} ms/step  ${result.samplesPerCpuSec.toFixed(0).padStart(6)} samples/cpu-s  (load ${load()})`);
    }
  }
}
loads.push(load());

// ---- table ----------------------------------------------------------------------------------
const summary: Record<string, Record<string, { samplesPerSec: number; min: number; max: number; msPerStep: number; samplesPerCpuSec: number; vsPytorch?: number; vsPytorchTuned?: number }>> = {};
for (const net of nets) {
  const torch = samples.get(`${net}|pytorch`);
  const torchMedian = torch ? median(torch.wall) : undefined;
  const tuned = samples.get(`${net}|pytorch tuned`);
  const tunedMedian = tuned ? median(tuned.wall) : undefined;
  console.log(`\n${net}: median samples/s (min-max) over ${repeats} rounds; ratio to PyTorch's median as installed, and tuned`);
  summary[net] = {};
  for (const entry of entries) {
    const s = samples.get(`${net}|${entry.label}`);
    if (!s) continue;
    const m = median(s.wall);
    const ratio = torchMedian ? m / torchMedian : undefined;
    summary[net][entry.label] = {
      samplesPerSec: round(m),
      min: round(Math.min(...s.wall)),
      max: round(Math.max(...s.wall)),
      msPerStep: round(median(s.ms), 2),
      samplesPerCpuSec: round(median(s.cpu)),
      ...(ratio ? { vsPytorch: round(ratio, 2) } : {}),
      ...(tunedMedian ? { vsPytorchTuned: round(m / tunedMedian, 2) } : {}),
    };
    console.log(
      `  ${entry.label.padEnd(24)} ${m.toFixed(0).padStart(6)} (${Math.min(...s.wall).toFixed(0)}-${Math.max(...s.wall).toFixed(0)})  ${median(s.ms).toFixed(2).padStart(7)} ms/step  ${median(s.cpu).toFixed(0).padStart(6)} /cpu-s  ${ratio ? `${ratio.toFixed(2)}x PyTorch` : ''}${tunedMedian ? `, ${(m / tunedMedian).toFixed(2)}x tuned` : ''}`,
    );
  }
}
console.log(JSON.stringify({ bench: 'native-spike', batch, seconds, repeats, cpu: cpus()[0]?.model, cores: availableParallelism(), loads, info: base.info(), checks, results: summary }));

// ---- optional breakdown ---------------------------------------------------------------------
if (flags.profile) {
  const PROFILE_STEPS = 20;
  for (const net of nets) {
    for (const [build, addon] of addons) {
      for (const variant of variants.filter((v) => !v.startsWith('onednn'))) {
        const p = addon.profile(net, variant, batch, PROFILE_STEPS, SEED);
        const parts = Object.entries(p).filter(([k]) => k !== 'total').sort((a, b) => b[1] - a[1]);
        console.log(`\nprofile ${net} ${variant} (${build}), ms per step over ${PROFILE_STEPS} steps, total ${p.total.toFixed(2)}:`);
        for (const [k, v] of parts) console.log(`  ${k.padEnd(22)} ${v.toFixed(2).padStart(7)}`);
      }
      for (const variant of variants.filter((v) => v.startsWith('onednn'))) {
        // oneDNN reports each primitive's time with ONEDNN_VERBOSE=1: run the steps in a child process.
        const code = `const a = require(${JSON.stringify(`${nativeDir}${build}.node`)}); a.lossCurve(${JSON.stringify(net)}, ${JSON.stringify(variant)}, ${batch}, ${3 + PROFILE_STEPS}, ${SEED});`;
        const out = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, ONEDNN_VERBOSE: '1' }, maxBuffer: 1 << 28 });
        const lines = out.stdout.split('\n').filter((l) => l.startsWith('onednn_verbose,exec,'));
        // Skip the 3 warm-up steps: keep the last PROFILE_STEPS / (PROFILE_STEPS + 3) of the executions.
        const kept = lines.slice(Math.round((lines.length * 3) / (3 + PROFILE_STEPS)));
        const byKind = new Map<string, number>();
        for (const line of kept) {
          const f = line.split(',');
          const key = `${f[3]} ${f[5]} ${f[4]}`;
          byKind.set(key, (byKind.get(key) ?? 0) + Number(f[f.length - 1]));
        }
        const parts = [...byKind].sort((a, b) => b[1] - a[1]);
        const total = parts.reduce((t, [, v]) => t + v, 0) / PROFILE_STEPS;
        console.log(`\nprofile ${net} ${variant} (${build}), oneDNN primitives only, ms per step over ${PROFILE_STEPS} steps, sum ${total.toFixed(2)}:`);
        for (const [k, v] of parts.slice(0, 14)) console.log(`  ${k.padEnd(60)} ${(v / PROFILE_STEPS).toFixed(2).padStart(7)}`);
      }
    }
  }
}
