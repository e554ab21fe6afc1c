import * as tf from '@tensorflow/tfjs';
import { floatsOf, nativeKernel, output, type NativeKernelArgs } from './kernelArgs.ts';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** The 17 integers native/src/backend/kernels.h's ConvShape holds, in its order. */
export function convShape(info: Conv2DInfo): Int32Array {
  const { padInfo } = info;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    padInfo.top,
    padInfo.left,
    padInfo.bottom,
    padInfo.right,
  );
}

function channelsLast(attrs: ConvAttrs): boolean {
  return (attrs.dataFormat ?? 'NHWC') === 'NHWC';
}

function conv2dInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, dilations: ConvAttrs['dilations'] = 1): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Conv2D (and FusedConv2D without bias or activation) through oneDNN. */
function conv2d({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const a = attrs as unknown as ConvAttrs;
  const x = floatsOf(backend, inputs.x);
  const filter = floatsOf(backend, inputs.filter);
  if (!x || !filter || !channelsLast(a)) return undefined;
  const info = conv2dInfo(inputs.x!.shape, inputs.filter!.shape, a, a.dilations);
  const y = backend.allocFloats(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  if (!backend.addon.conv2d(x, filter, y, convShape(info))) return backend.releaseFloats(y), undefined;
  return output(backend, info.outShape, y);
}

/**
 * FusedConv2D (tf.layers.conv2d's forward pass): the convolution, then the bias over channels and a
 * ReLU in one pass. Other activations and broadcasts take the cpu kernel.
 */
function fusedConv2d(args: NativeKernelArgs): tf.TensorInfo | undefined {
  const { inputs, backend, attrs } = args;
  const activation = (attrs as unknown as ConvAttrs).activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  const bias = inputs.bias === undefined ? null : floatsOf(backend, inputs.bias);
  const outChannels = inputs.filter!.shape[3];
  if (bias === undefined || (bias !== null && (bias.length !== outChannels || inputs.bias!.shape.at(-1) !== outChannels || inputs.bias!.shape.length > 4))) return undefined;
  const y = conv2d(args);
  if (y === undefined) return undefined;
  const values = floatsOf(backend, y)!;
  backend.addon.biasActivation(values, bias, values.length / outChannels, outChannels, activation === 'relu');
  return y;
}

/** Conv2DBackpropInput (the gradient of a convolution with respect to its input) through oneDNN. */
function conv2dBackpropInput({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  const dy = floatsOf(backend, inputs.dy);
  const filter = floatsOf(backend, inputs.filter);
  if (!dy || !filter || !channelsLast(a)) return undefined;
  const info = conv2dInfo(a.inputShape, inputs.filter!.shape, a);
  const dx = backend.allocFloats(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  if (!backend.addon.conv2dBackpropInput(dy, filter, dx, convShape(info))) return backend.releaseFloats(dx), undefined;
  return output(backend, info.inShape, dx);
}

/** Conv2DBackpropFilter (the gradient of a convolution with respect to its filter) through oneDNN. */
function conv2dBackpropFilter({ inputs, backend, attrs }: NativeKernelArgs): tf.TensorInfo | undefined {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const x = floatsOf(backend, inputs.x);
  const dy = floatsOf(backend, inputs.dy);
  if (!x || !dy || !channelsLast(a)) return undefined;
  const info = conv2dInfo(inputs.x!.shape, a.filterShape, a);
  const dw = backend.allocFloats(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels);
  if (!backend.addon.conv2dBackpropFilter(x, dy, dw, convShape(info))) return backend.releaseFloats(dw), undefined;
  return output(backend, a.filterShape, dw);
}

/** The convolution kernels of the native backend. */
export const CONV_KERNELS: tf.KernelConfig[] = [
  nativeKernel(tf.Conv2D, conv2d),
  nativeKernel(tf.FusedConv2D, fusedConv2d),
  nativeKernel(tf.Conv2DBackpropInput, conv2dBackpropInput),
  nativeKernel(tf.Conv2DBackpropFilter, conv2dBackpropFilter),
];
