import * as tf from '@tensorflow/tfjs';
import { disposeInfos, inputOf, runWasmKernel, swapLastTwoAxes, type WasmKernelArgs } from './wasmKernel.ts';

/**
 * BatchMatMul whose transposed operands are transposed explicitly first (wasm's Transpose is a fast
 * copy), so every product runs on XNNPACK's plain GEMM: the shipped kernel sends transposed operands
 * down a naive loop at ~1 GFLOP/s, and every dense-layer gradient (dy·Wᵀ, xᵀ·dy) is one.
 *
 * @example
 * tf.registerKernel(batchMatMulConfig); // then tf.matMul(a, b, true, false) takes the fast path
 */
export function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const a = inputOf(inputs, 'a', tf.BatchMatMul);
  const b = inputOf(inputs, 'b', tf.BatchMatMul);
  const { transposeA = false, transposeB = false } = attrs as { transposeA?: boolean; transposeB?: boolean };
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runWasmKernel(tf.BatchMatMul, backend, inputs, attrs);
  }
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
