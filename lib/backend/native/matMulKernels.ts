import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
}

/**
 * BatchMatMul through oneDNN's sgemm (packed, threaded, JIT for the CPU it runs on). Outer (batch)
 * dimensions must match or one side must have none to broadcast; other broadcasts take the cpu kernel.
 */
function batchMatMul({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const a = floatsOf(backend, inputs.a);
  const b = floatsOf(backend, inputs.b);
  if (!a || !b) return undefined;
  const { transposeA = false, transposeB = false } = attrs as MatMulAttrs;
  const aShape = inputs.a!.shape;
  const bShape = inputs.b!.shape;
  if (aShape.length < 2 || bShape.length < 2) return undefined;
  const [m, k] = transposeA ? [aShape.at(-1)!, aShape.at(-2)!] : [aShape.at(-2)!, aShape.at(-1)!];
  const [kB, n] = transposeB ? [bShape.at(-1)!, bShape.at(-2)!] : [bShape.at(-2)!, bShape.at(-1)!];
  if (k !== kB) return undefined;
  const aOuter = aShape.slice(0, -2);
  const bOuter = bShape.slice(0, -2);
  const aBatch = tf.util.sizeFromShape(aOuter);
  const bBatch = tf.util.sizeFromShape(bOuter);
  const sameOuter = aOuter.length === bOuter.length && aOuter.every((d, i) => d === bOuter[i]);
  if (aBatch * bBatch === 0 || (!sameOuter && aBatch !== 1 && bBatch !== 1)) return undefined;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batch = Math.max(aBatch, bBatch);
  const c = backend.allocFloats(batch * m * n);
  const handled = backend.addon.matMul(a, b, c, batch, m, n, k, transposeA, transposeB, aBatch === 1 ? 0 : m * k, bBatch === 1 ? 0 : k * n);
  if (!handled) return backend.releaseFloats(c), undefined;
  return output(backend, [...outer, m, n], c);
}

/** _FusedMatMul (tf.layers.dense's forward pass): the product, then the bias and a ReLU in one pass. */
function fusedMatMul(args: NativeKernelArgs): tf.TensorInfo | undefined {
  const { inputs, backend, attrs } = args;
  const activation = (attrs as MatMulAttrs).activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  const bias = inputs.bias === undefined ? null : floatsOf(backend, inputs.bias);
  const b = inputs.b!;
  const n = (attrs as MatMulAttrs).transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
  if (bias === undefined || (bias !== null && (bias.length !== n || inputs.bias!.shape.at(-1) !== n || inputs.bias!.shape.length > Math.max(inputs.a!.shape.length, b.shape.length)))) return undefined;
  const product = batchMatMul(args);
  if (product === undefined) return undefined;
  const values = floatsOf(backend, product)!;
  backend.addon.biasActivation(values, bias, values.length / n, n, activation === 'relu');
  return product;
}

/** The matrix-product kernels of the native backend. */
export const MATMUL_KERNELS: tf.KernelConfig[] = [nativeKernel(tf.BatchMatMul, batchMatMul), nativeKernel(tf._FusedMatMul, fusedMatMul)];
