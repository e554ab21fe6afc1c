import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeInfos, inputOf, runWasmKernel, type WasmKernelArgs } from './wasmKernel.ts';

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * Conv2DBackpropInput (the gradient of a convolution with respect to its input) as one XNNPACK
 * convolution: dx is the "full" correlation of dy, dilated by the stride, with the filter flipped in
 * space and its in/out channels swapped. The shipped kernel is a naive six-deep loop.
 *
 * @example
 * tf.registerKernel(conv2dBackpropInputConfig); // tf.grad of tf.conv2d then runs on XNNPACK
 */
export function conv2dBackpropInput({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const dy = inputOf(inputs, 'dy', tf.Conv2DBackpropInput);
  const filter = inputOf(inputs, 'filter', tf.Conv2DBackpropInput);
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropInputAttrs;
  if (dataFormat === 'NCHW') return runWasmKernel(tf.Conv2DBackpropInput, backend, inputs, attrs);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight, filterWidth, strideHeight, strideWidth, inHeight, inWidth, padInfo } = info;
  const dilated = dilate(backend, dy, strideHeight, strideWidth);
  const [, dilatedHeight, dilatedWidth] = dilated.shape;
  const top = filterHeight - 1 - padInfo.top;
  const left = filterWidth - 1 - padInfo.left;
  const bottom = inHeight - dilatedHeight - top + filterHeight - 1;
  const right = inWidth - dilatedWidth - left + filterWidth - 1;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    if (dilated !== dy) disposeInfos(backend, dilated);
    return runWasmKernel(tf.Conv2DBackpropInput, backend, inputs, attrs);
  }
  const flipped = flipAndSwapChannels(backend, filter);
  const dx = runWasmKernel(
    tf.Conv2D,
    backend,
    { x: dilated, filter: flipped },
    { strides: 1, dilations: 1, pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC' },
  );
  disposeInfos(backend, flipped);
  if (dilated !== dy) disposeInfos(backend, dilated);
  return dx;
}

/** [fh, fw, in, out] -> [fh, fw, out, in], reversed in both spatial axes (small: plain loops). */
function flipAndSwapChannels(backend: BackendWasm, filter: tf.TensorInfo): tf.TensorInfo {
  const [fh, fw, inC, outC] = filter.shape;
  const out = backend.makeOutput([fh, fw, outC, inC], 'float32');
  // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
  const source = backend.typedArrayFromHeap(filter) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  for (let h = 0; h < fh; h++) {
    for (let w = 0; w < fw; w++) {
      const from = (h * fw + w) * inC * outC;
      const to = ((fh - 1 - h) * fw + (fw - 1 - w)) * inC * outC;
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < outC; o++) target[to + o * inC + i] = source[from + i * outC + o];
      }
    }
  }
  return out;
}

/** Spreads dy's rows and columns `stride` apart with zeros between them; the identity for stride 1. */
function dilate(backend: BackendWasm, dy: tf.TensorInfo, strideHeight: number, strideWidth: number): tf.TensorInfo {
  if (strideHeight === 1 && strideWidth === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const dh = (h - 1) * strideHeight + 1;
  const dw = (w - 1) * strideWidth + 1;
  const out = backend.makeOutput([n, dh, dw, c], 'float32');
  const source = backend.typedArrayFromHeap(dy) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  target.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((b * h + y) * w + x) * c;
        target.set(source.subarray(from, from + c), ((b * dh + y * strideHeight) * dw + x * strideWidth) * c);
      }
    }
  }
  return out;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
