/**
 * One benchmark configuration in its own process (a wasm module's thread count is fixed when it
 * first loads). Prints one JSON line: samples/s per network, or why it could not train; or
 * `{"error": ...}` when the backend cannot be selected. `networks` (default all four) picks the
 * networks to time, so that the bench can put other runs of the same network close in time.
 *   node --import tsx test/bench/train-run.ts '{"backend":"wasm","threads":1,"trainingKernels":true,"networks":["cnn"]}'
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendOptions } from '../../lib/backend/selectBackend.ts';
import { BATCH, makeTrainer, NETWORKS, takesImages, WARMUP_STEPS, type NetworkName } from './train-networks.ts';

export interface RunResult {
  backend: string;
  threads: number;
  trainingKernels: string[];
  samplesPerSec: Partial<Record<NetworkName, number>>;
  /** Samples per second of CPU time used by the whole process (all threads). */
  samplesPerCpuSec: Partial<Record<NetworkName, number>>;
  errors: Partial<Record<NetworkName, string>>;
  profile?: Partial<Record<NetworkName, KernelTime[]>>;
}

export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

const PROFILED_STEPS = 5;

const options = JSON.parse(process.argv[2] ?? '{}') as BackendOptions & { seconds?: number; profile?: boolean; networks?: NetworkName[] };
const info = await selectBackend(options).catch((error: Error) => {
  console.log(JSON.stringify({ error: error.message.split('\n')[0] }));
  process.exit(0);
});
const result: RunResult = {
  backend: info.name,
  threads: info.threads,
  trainingKernels: info.trainingKernels,
  samplesPerSec: {},
  samplesPerCpuSec: {},
  errors: {},
};
for (const network of options.networks ?? NETWORKS) {
  try {
    const { wall, cpu } = await measure(network, options.seconds ?? 6);
    result.samplesPerSec[network] = wall;
    result.samplesPerCpuSec[network] = cpu;
    if (options.profile) (result.profile ??= {})[network] = await profileStep(network);
  } catch (error) {
    result.errors[network] = (error as Error).message.split('\n')[0];
  }
}
console.log(JSON.stringify(result));
process.exit(0);

function batch(network: NetworkName): { xs: tf.Tensor; ys: tf.Tensor2D } {
  const xs = takesImages(network) ? tf.randomUniform([BATCH, 28, 28, 1]) : tf.randomUniform([BATCH, 784]);
  const ys = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat() as tf.Tensor2D;
  return { xs, ys };
}

/** Steps for about `seconds` after the warm-up steps, which are not counted. */
async function measure(network: NetworkName, seconds: number): Promise<{ wall: number; cpu: number }> {
  const trainer = makeTrainer(network);
  const { xs, ys } = batch(network);
  try {
    for (let i = 0; i < WARMUP_STEPS; i++) await trainer.step(xs, ys);
    let steps = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - start < seconds * 1000 || steps < 3) {
      await trainer.step(xs, ys);
      steps++;
    }
    const cpu = process.cpuUsage(cpuStart);
    return {
      wall: (steps * BATCH) / ((performance.now() - start) / 1000),
      cpu: (steps * BATCH) / ((cpu.user + cpu.system) / 1e6),
    };
  } finally {
    trainer.dispose();
    xs.dispose();
    ys.dispose();
  }
}

/** Mean time per kernel over a few training steps (after warm-up), largest first. */
async function profileStep(network: NetworkName): Promise<KernelTime[]> {
  const trainer = makeTrainer(network);
  const { xs, ys } = batch(network);
  try {
    for (let i = 0; i < WARMUP_STEPS; i++) await trainer.step(xs, ys);
    const byKernel = new Map<string, KernelTime>();
    for (let i = 0; i < PROFILED_STEPS; i++) {
      const profile = await tf.profile(() => trainer.step(xs, ys));
      for (const kernel of profile.kernels) {
        const entry = byKernel.get(kernel.name) ?? { kernel: kernel.name, ms: 0, calls: 0 };
        entry.ms += (typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0) / PROFILED_STEPS;
        entry.calls += 1 / PROFILED_STEPS;
        byKernel.set(kernel.name, entry);
      }
    }
    return [...byKernel.values()]
      .sort((a, b) => b.ms - a.ms)
      .map((k) => ({ ...k, ms: Math.round(k.ms * 100) / 100, calls: Math.round(k.calls) }));
  } finally {
    trainer.dispose();
    xs.dispose();
    ys.dispose();
  }
}
