import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Element-wise binary ops of the addon; the numbering is native/src/backend/kernels.h's BinaryOp. */
export const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 } as const;
/** Element-wise unary ops of the addon; the numbering is native/src/backend/kernels.h's UnaryOp. */
export const UNARY_OPS = {
  Relu: 0,
  Sqrt: 1,
  Rsqrt: 2,
  Square: 3,
  Neg: 4,
  Exp: 5,
  Log: 6,
  Abs: 7,
  Step: 8,
  Reciprocal: 9,
  Sigmoid: 10,
  Tanh: 11,
  Relu6: 12,
  Floor: 13,
  Ceil: 14,
} as const;

/**
 * The compiled addon (native/src/backend/addon.cc). Kernels write into the caller's arrays; the ones
 * returning a boolean return false for a shape oneDNN refuses, and the caller falls back.
 */
export interface NativeAddon {
  /** shape: {@link convShape}'s 17 integers. */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, shape: Int32Array): boolean;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, shape: Int32Array): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, shape: Int32Array): boolean;
  /** shape: batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft. */
  maxPool(x: Float32Array, y: Float32Array, shape: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, shape: Int32Array): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aStride: number,
    bStride: number,
  ): boolean;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    out: Float32Array,
    rows: number,
    channels: number,
    epsilon: number,
  ): void;
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    channels: number,
    epsilon: number,
    relu: boolean,
  ): void;
  batchNormTrainGrad(
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    channels: number,
    epsilon: number,
    relu: boolean,
  ): void;
  biasActivation(out: Float32Array, bias: Float32Array | null, rows: number, cols: number, relu: boolean): void;
  /**
   * The smaller operand (a when broadcastA, else b; broadcastLength values) repeats along the leading
   * axes, or with perRow each of its values covers length / broadcastLength consecutive outputs.
   */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    length: number,
    broadcastLength: number,
    broadcastA: boolean,
    perRow: boolean,
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, length: number, alpha: number): void;
  /** out = dy * step(x), ReLU's gradient. */
  reluGrad(dy: Float32Array, x: Float32Array, out: Float32Array, length: number): void;
  sum(x: Float32Array, out: Float32Array, rows: number, cols: number, leading: boolean): void;
  /** Softmax over the last axis of [rows, cols]. */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  adam(
    value: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    valueOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    length: number,
    learningRate: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    oneMinusBeta1Power: number,
    oneMinusBeta2Power: number,
  ): void;
  setThreads(threads: number): void;
  info(): { isa: string; dnnl: string; threads: number; arch: string };
  /** Conv plans cached by shape, and native buffers alive now (0 between kernel calls). */
  stats(): { plans: number; buffers: number };
  clearPlans(): void;
}

/** The addon, or the one-line reason it cannot be used here. */
export type AddonLoad = { addon: NativeAddon; path: string } | { reason: string };

/** Where `npm install` (native/install.mjs, node-gyp) leaves the addon, under the package root. */
export const ADDON_FILE = join('build', 'Release', 'digit_flow_native.node');

let loaded: AddonLoad | undefined;

/**
 * Loads the native addon once per process. Never throws: a missing or broken build comes back as a
 * reason fit for one log line. `DIGIT_FLOW_NATIVE=0` turns it off.
 *
 * @example
 * const load = loadNativeAddon();
 * if ('reason' in load) console.log(`native backend unavailable: ${load.reason}`);
 */
export function loadNativeAddon(): AddonLoad {
  loaded ??= load();
  return loaded;
}

function load(): AddonLoad {
  if (process.env.DIGIT_FLOW_NATIVE === '0') return { reason: 'turned off by DIGIT_FLOW_NATIVE=0' };
  const root = packageRoot();
  const path = root === undefined ? undefined : join(root, ADDON_FILE);
  if (path === undefined || !existsSync(path)) {
    const log = root === undefined ? undefined : join(root, 'build', 'native-install.log');
    const why = log !== undefined && existsSync(log) ? readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('reason: ')) : undefined;
    return { reason: `native addon not built (${why?.slice('reason: '.length) ?? 'no build found'}; see README "Native backend")` };
  }
  // OpenMP threads that spin between parallel regions (GNU OpenMP's default) take the core V8's
  // garbage collector and the JavaScript between kernels need: measured 3-10x slower steps on 2
  // cores. Read once, when the OpenMP runtime loads with the addon; a user's own setting wins.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) process.env.OMP_WAIT_POLICY = 'passive';
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    addon.info();
    return { addon, path };
  } catch (error) {
    return { reason: `native addon failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The directory of this package's package.json, from lib/ (sources) or dist/lib/ (built). */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'digit-flow') return dir;
      } catch {
        // Not ours or unreadable: keep looking upwards.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
