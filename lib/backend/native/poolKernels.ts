import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The 12 integers native/src/backend/kernels.h's PoolShape holds, in its order. */
function poolShape(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
}

function poolInfo(xShape: number[], attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/** MaxPool over NHWC images, vectorised over channels, images shared between threads. */
function maxPool({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.x);
  if (!x) return undefined;
  const info = poolInfo(inputs.x!.shape, attrs as unknown as PoolAttrs);
  const y = backend.allocFloats(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  backend.addon.maxPool(x, y, poolShape(info));
  return output(backend, info.outShape, y);
}

/** MaxPoolGrad: each window's gradient goes to its first maximum, as in the cpu backend. */
function maxPoolGrad({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const x = floatsOf(backend, inputs.input);
  const dy = floatsOf(backend, inputs.dy);
  if (!x || !dy) return undefined;
  const info = poolInfo(inputs.input!.shape, attrs as unknown as PoolAttrs);
  const dx = backend.allocFloats(x.length);
  backend.addon.maxPoolGrad(x, dy, dx, poolShape(info));
  return output(backend, inputs.input!.shape, dx);
}

/** The pooling kernels of the native backend. */
export const POOL_KERNELS: tf.KernelConfig[] = [nativeKernel(tf.MaxPool, maxPool), nativeKernel(tf.MaxPoolGrad, maxPoolGrad)];
