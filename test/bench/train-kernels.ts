/**
 * Per-kernel profile at the benchmark networks' shapes (batch 128): our wasm training kernels against
 * the shipped ones, each call on fresh inputs as in training (XNNPACK repacks fresh operands).
 * Run: node --import tsx test/bench/train-kernels.ts [threads]   (median of 15 calls after one warm-up, ms)
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../lib/backend/kernels/register.ts';
import { selectBackend } from '../../lib/backend/selectBackend.ts';

interface Case {
  label: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: tf.NamedAttrMap;
}

const conv = (inputShape: number[], filterShape: number[]): tf.NamedAttrMap => ({
  strides: 1,
  pad: 'valid',
  dataFormat: 'NHWC',
  inputShape,
  filterShape,
});

const cases: Case[] = [
  { label: 'mlp fwd x·W1 (fused)', kernel: tf._FusedMatMul, inputs: { a: [1, 128, 784], b: [1, 784, 512], bias: [512] }, attrs: { activation: 'relu' } },
  { label: 'mlp dW1 = xᵀ·dy', kernel: tf.BatchMatMul, inputs: { a: [128, 784], b: [128, 512] }, attrs: { transposeA: true, transposeB: false } },
  { label: 'mlp dx2 = dy·W2ᵀ', kernel: tf.BatchMatMul, inputs: { a: [128, 256], b: [512, 256] }, attrs: { transposeA: false, transposeB: true } },
  { label: 'mlp fwd h1·W2', kernel: tf.BatchMatMul, inputs: { a: [128, 512], b: [512, 256] }, attrs: { transposeA: false, transposeB: false } },
  { label: 'cnn conv2 forward', kernel: tf.Conv2D, inputs: { x: [128, 13, 13, 32], filter: [3, 3, 32, 64] }, attrs: { ...conv([], []), dilations: 1 } },
  { label: 'cnn conv1 dW', kernel: tf.Conv2DBackpropFilter, inputs: { x: [128, 28, 28, 1], dy: [128, 26, 26, 32] }, attrs: conv([], [3, 3, 1, 32]) },
  { label: 'cnn conv2 dW', kernel: tf.Conv2DBackpropFilter, inputs: { x: [128, 13, 13, 32], dy: [128, 11, 11, 64] }, attrs: conv([], [3, 3, 32, 64]) },
  { label: 'cnn conv2 dx', kernel: tf.Conv2DBackpropInput, inputs: { dy: [128, 11, 11, 64], filter: [3, 3, 32, 64] }, attrs: conv([128, 13, 13, 32], []) },
  { label: 'cnn pool1 grad', kernel: tf.MaxPoolGrad, inputs: { dy: [128, 13, 13, 32], input: [128, 26, 26, 32], output: [128, 13, 13, 32] }, attrs: { filterSize: 2, strides: 2, pad: 'valid' } },
  { label: 'cnn conv1 bias grad', kernel: tf.Sum, inputs: { x: [128, 26, 26, 32] }, attrs: { axis: [0, 1, 2], keepDims: false } },
];

const CALLS = 15;
const threads = Number(process.argv[2] ?? 1);
await selectBackend({ backend: 'wasm', threads });
console.log(`wasm, ${threads} thread(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (noisy when shared)`);
console.log(`${'kernel call'.padEnd(26)} ${'ours ms'.padStart(9)} ${'shipped ms'.padStart(11)}`);
for (const c of cases) {
  registerTrainingKernels();
  const ours = median(c);
  unregisterTrainingKernels();
  const shipped = tf.getKernel(c.kernel, 'wasm') ? median(c) : undefined;
  console.log(`${c.label.padEnd(26)} ${ours.toFixed(2).padStart(9)} ${(shipped?.toFixed(2) ?? 'missing').padStart(11)}`);
}
process.exit(0);

/** Median time of one call on fresh random inputs (made outside the timing). */
function median(c: Case): number {
  const times: number[] = [];
  for (let i = 0; i < CALLS + 1; i++) {
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([name, shape]) => [name, tf.randomUniform(shape)]));
    const start = performance.now();
    const out = tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor;
    const ms = performance.now() - start; // wasm kernels are synchronous
    out.dispose();
    Object.values(inputs).forEach((t) => t.dispose());
    if (i > 0) times.push(ms); // the first call warms up
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
