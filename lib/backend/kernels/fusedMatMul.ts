import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chooseOrientation, matMulPackingLess } from './matMulPlan.ts';
import { disposeInfos, inputOf, runWasmKernel, swapLastTwoAxes, type WasmKernelArgs } from './wasmKernel.ts';

interface FusedAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/**
 * _FusedMatMul (the forward pass of tf.layers.dense: x·W + bias, activation) in the orientation that
 * packs less (see matMulPlan.ts), then bias and activation as their own kernels; transposed operands
 * are transposed explicitly rather than taking the shipped kernel's naive loop. When the shipped
 * fused kernel is already the cheaper way, it runs as is.
 *
 * @example
 * tf.registerKernel(fusedMatMulConfig); // tf.layers.dense forward on wasm packs the smaller operand
 */
export function fusedMatMul({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const a = inputOf(inputs, 'a', tf._FusedMatMul);
  const b = inputOf(inputs, 'b', tf._FusedMatMul);
  const { bias, preluActivationWeights } = inputs;
  const { transposeA = false, transposeB = false, activation = 'linear', leakyreluAlpha } = attrs as FusedAttrs;
  const [m, k] = transposeA ? [a.shape[2], a.shape[1]] : [a.shape[1], a.shape[2]];
  const n = transposeB ? b.shape[1] : b.shape[2];
  const unbatched = a.shape[0] === 1 && b.shape[0] === 1;
  const swapped = unbatched && chooseOrientation(m, k, n, transposeA, transposeB) === 'swapped';
  // The shipped fused kernel gets leakyrelu wrong (it differs from cpu), so that one runs on its own.
  const fusable = activation !== 'leakyrelu';
  if (!swapped && fusable) return fusedWithPlainOperands(backend, inputs, attrs, a, b, transposeA, transposeB);
  const product = swapped
    ? matMulPackingLess(backend, a, b, transposeA, transposeB)!
    : fusedWithPlainOperands(backend, { a, b }, { transposeA, transposeB, activation: 'linear' }, a, b, transposeA, transposeB);
  const biased = bias ? runWasmKernel(tf.Add, backend, { a: product, b: bias }) : product;
  if (biased !== product) disposeInfos(backend, product);
  const activated = activate(backend, biased, activation, preluActivationWeights, leakyreluAlpha);
  if (activated !== biased) disposeInfos(backend, biased);
  return activated;
}

function fusedWithPlainOperands(
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  if (!transposeA && !transposeB) return runWasmKernel(tf._FusedMatMul, backend, inputs, attrs);
  const plainA = transposeA ? runWasmKernel(tf.Transpose, backend, { x: a }, { perm: swapLastTwoAxes(3) }) : a;
  const plainB = transposeB ? runWasmKernel(tf.Transpose, backend, { x: b }, { perm: swapLastTwoAxes(3) }) : b;
  const out = runWasmKernel(
    tf._FusedMatMul,
    backend,
    { ...inputs, a: plainA, b: plainB },
    { ...attrs, transposeA: false, transposeB: false },
  );
  if (transposeA) disposeInfos(backend, plainA);
  if (transposeB) disposeInfos(backend, plainB);
  return out;
}

/** The fused activations, each as its own wasm kernel; 'linear' is the identity. */
function activate(
  backend: BackendWasm,
  x: tf.TensorInfo,
  activation: string,
  preluWeights: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return runWasmKernel(tf.Relu, backend, { x });
    case 'relu6':
      return runWasmKernel(tf.Relu6, backend, { x });
    case 'elu':
      return runWasmKernel(tf.Elu, backend, { x });
    case 'sigmoid':
      return runWasmKernel(tf.Sigmoid, backend, { x });
    case 'leakyrelu':
      return runWasmKernel(tf.LeakyRelu, backend, { x }, { alpha: leakyreluAlpha ?? 0.2 });
    case 'prelu':
      if (!preluWeights) throw new Error("_FusedMatMul: activation 'prelu' needs preluActivationWeights");
      return runWasmKernel(tf.Prelu, backend, { x, alpha: preluWeights });
    default:
      throw new Error(`_FusedMatMul on wasm: activation '${activation}' is not supported`);
  }
}

export const fusedMatMulConfig: tf.KernelConfig = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as tf.KernelFunc,
};
