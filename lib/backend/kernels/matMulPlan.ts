import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeMatrix } from './transposeMatrix.ts';
import { disposeInfos, runWasmKernel } from './wasmKernel.ts';

/**
 * XNNPACK packs the right-hand operand of every product into its own layout before multiplying, and
 * in training that operand is new at every step (weights change, gradients are fresh). Packing costs
 * several times as much per float as a transpose (measured here: ~5-10 ns against ~1 ns, noisy), so
 * when the right-hand operand is much the larger, Cᵀ = Bᵀ·Aᵀ is cheaper than C = A·B: the forward pass
 * of a 784->512 dense layer on a batch of 128 then packs 100k floats instead of 401k. Each extra kernel
 * call also has a fixed cost (operator set-up, allocation), set from A/B runs here: swapping pays for
 * dy·Wᵀ, but not for an untransposed x·W with a batch of 128, which stays direct. (Conv2DBackpropFilter
 * builds its patches so that it needs no transpose at all, and calls the product directly.)
 */
const PACK_COST = 6;
const MOVE_COST = 1;
const KERNEL_CALL_COST = 450_000;

/** Which product to run, by floats moved and kernels called; exported for tests and benchmarks. */
export function chooseOrientation(
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): 'direct' | 'swapped' {
  const transposes = (sizes: number[]): number => sizes.reduce((sum, size) => sum + MOVE_COST * size + KERNEL_CALL_COST, 0);
  const direct = PACK_COST * k * n + transposes([...(transposeA ? [m * k] : []), ...(transposeB ? [k * n] : [])]);
  const swapped =
    PACK_COST * m * k + transposes([...(transposeA ? [] : [m * k]), ...(transposeB ? [] : [k * n]), m * n]);
  return swapped < direct ? 'swapped' : 'direct';
}

/**
 * op(a)·op(b) through XNNPACK's plain GEMM, in whichever orientation packs less, for operands with no
 * batch (rank 2, or rank 3 with batch 1). Returns undefined for batched operands: the caller then
 * transposes explicitly and multiplies batch by batch.
 */
export function matMulPackingLess(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== 1 || batchB !== 1) return undefined;
  const a2 = asMatrix(a);
  const b2 = asMatrix(b);
  const [m, k] = transposeA ? [a2.shape[1], a2.shape[0]] : a2.shape;
  const n = transposeB ? b2.shape[0] : b2.shape[1];
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const temporaries: tf.TensorInfo[] = [];
  const transposed = (x: tf.TensorInfo): tf.TensorInfo => {
    const t = transposeMatrix(backend, x);
    temporaries.push(t);
    return t;
  };
  let out: tf.TensorInfo;
  if (chooseOrientation(m, k, n, transposeA, transposeB) === 'direct') {
    const left = transposeA ? transposed(a2) : a2;
    const right = transposeB ? transposed(b2) : b2;
    out = runWasmKernel(tf.BatchMatMul, backend, { a: left, b: right }, { transposeA: false, transposeB: false });
  } else {
    const left = transposeB ? b2 : transposed(b2);
    const right = transposeA ? a2 : transposed(a2);
    const outTransposed = runWasmKernel(tf.BatchMatMul, backend, { a: left, b: right }, { transposeA: false, transposeB: false });
    temporaries.push(outTransposed);
    out = transposeMatrix(backend, { ...outTransposed, shape: [n, m] });
  }
  disposeInfos(backend, ...temporaries);
  out.shape = outShape;
  return out;
}

/** The same data seen as its last two axes (no copy: the caller's tensor keeps the data alive). */
function asMatrix(x: tf.TensorInfo): tf.TensorInfo {
  return { ...x, shape: x.shape.slice(-2) };
}
