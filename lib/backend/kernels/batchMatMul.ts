import * as tf from '@tensorflow/tfjs';
import { matMulPackingLess } from './matMulPlan.ts';
import { disposeInfos, inputOf, runWasmKernel, swapLastTwoAxes, type WasmKernelArgs } from './wasmKernel.ts';

/**
 * BatchMatMul on XNNPACK's plain GEMM in every case: transposed operands are transposed explicitly
 * (wasm's Transpose is a fast copy) instead of going down the shipped kernel's naive loop at
 * ~1 GFLOP/s, which every dense-layer gradient (dy·Wᵀ, xᵀ·dy) used to take; unbatched products also
 * pick the orientation that packs less (see matMulPlan.ts).
 *
 * @example
 * tf.registerKernel(batchMatMulConfig); // then tf.matMul(a, b, true, false) takes the fast path
 */
export function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const a = inputOf(inputs, 'a', tf.BatchMatMul);
  const b = inputOf(inputs, 'b', tf.BatchMatMul);
  const { transposeA = false, transposeB = false } = attrs as { transposeA?: boolean; transposeB?: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runWasmKernel(tf.BatchMatMul, backend, inputs, attrs);
  const planned = matMulPackingLess(backend, a, b, transposeA, transposeB);
  if (planned) return planned;
  if (!transposeA && !transposeB) return runWasmKernel(tf.BatchMatMul, backend, inputs, attrs);
  const plainA = transposeA ? runWasmKernel(tf.Transpose, backend, { x: a }, { perm: swapLastTwoAxes(a.shape.length) }) : a;
  const plainB = transposeB ? runWasmKernel(tf.Transpose, backend, { x: b }, { perm: swapLastTwoAxes(b.shape.length) }) : b;
  const out = runWasmKernel(tf.BatchMatMul, backend, { a: plainA, b: plainB }, { transposeA: false, transposeB: false });
  if (transposeA) disposeInfos(backend, plainA);
  if (transposeB) disposeInfos(backend, plainB);
  return out;
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
