import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeInfos, inputOf, runWasmKernel, type WasmKernelArgs } from './wasmKernel.ts';

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * Conv2DBackpropFilter (the gradient of a convolution with respect to its filter), which the wasm
 * package does not ship at all, as one XNNPACK product per chunk of images: see
 * {@link backpropFilterByPatches}.
 *
 * @example
 * tf.registerKernel(conv2dBackpropFilterConfig); // conv layers can now train on wasm
 */
export function conv2dBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const x = inputOf(inputs, 'x', tf.Conv2DBackpropFilter);
  const dy = inputOf(inputs, 'dy', tf.Conv2DBackpropFilter);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm: dataFormat NCHW is not supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return backpropFilterByPatches(backend, x, dy, info);
}

/**
 * Most floats of patches built at once (64 MB): a batch whose patches would take more is done in
 * chunks of images, their products summed. Every layer of the built-in CNNs up to 32x32 images fits
 * in one chunk; chunks cost more than their share (more, smaller products), so they are for memory only.
 */
const MAX_PATCH_FLOATS = 1 << 24;

/**
 * dW as patches·dy, where patches is [fh·fw·in, batch·outH·outW], one row per tap: the input shifted
 * by the tap, built in JS from x made channel-major ([in, batch, H, W]) so that each row is copied in
 * runs along image rows; dy is read as it lies, [batch·outH·outW, out]. Neither operand of the product
 * is transposed. Against the previous kernels here (XNNPACK convolution with batch and channels
 * swapped; for 1 to 4 channels, patches one row per position multiplied transposed, which moved all
 * of a first layer's dy, millions of floats 24 wide), profiled within a job-cnn step on 2 threads:
 * the first layer's dW (batch 128, 28x28, 1 -> 24) takes 9.8 ms instead of 20, the second's (14x14,
 * 24 -> 48) the same 25-27 ms. (Timed alone, with one dy reused, XNNPACK keeps dy packed between
 * calls and the new kernel looks faster than it is in training, where dy is new every step.)
 */
export function backpropFilterByPatches(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  maxPatchFloats = MAX_PATCH_FLOATS,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const taps = filterHeight * filterWidth * inChannels;
  const outPlane = outHeight * outWidth;
  const chunkImages = Math.max(1, Math.min(batchSize, Math.floor(maxPatchFloats / (taps * outPlane))));
  // Channel-major ([in, batch, H, W]), so that a tap's row is copied in runs along image rows.
  const planes = inChannels === 1 ? x : runWasmKernel(tf.Transpose, backend, { x }, { perm: [3, 0, 1, 2] });
  const plane = batchSize * inHeight * inWidth;
  let dw: tf.TensorInfo | undefined;
  for (let first = 0; first < batchSize; first += chunkImages) {
    const images = Math.min(chunkImages, batchSize - first);
    const positions = images * outPlane;
    const patches = backend.makeOutput([1, taps, positions], 'float32');
    // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
    const source = backend.typedArrayFromHeap(planes) as Float32Array;
    const target = backend.typedArrayFromHeap(patches) as Float32Array;
    // Taps that fall outside the image stay 0; the rest are copied one (tap, output row) run at a
    // time, with the run's bounds worked out once instead of tested for every value.
    target.fill(0);
    for (let fy = 0; fy < filterHeight; fy++) {
      for (let fx = 0; fx < filterWidth; fx++) {
        // Output columns whose window column fx lands inside the image: 0 <= ox·stride + fx - left < inWidth.
        const oxFrom = Math.max(0, Math.ceil((padInfo.left - fx) / strideWidth));
        const oxTo = Math.min(outWidth, Math.floor((inWidth - 1 + padInfo.left - fx) / strideWidth) + 1);
        for (let c = 0; c < inChannels; c++) {
          const row = ((fy * filterWidth + fx) * inChannels + c) * positions;
          for (let i = 0; i < images; i++) {
            const image = c * plane + (first + i) * inHeight * inWidth;
            for (let oy = 0; oy < outHeight; oy++) {
              const y = oy * strideHeight + fy - padInfo.top;
              if (y < 0 || y >= inHeight) continue;
              let from = image + y * inWidth + oxFrom * strideWidth + fx - padInfo.left;
              const to = row + (i * outHeight + oy) * outWidth;
              for (let ox = oxFrom; ox < oxTo; ox++, from += strideWidth) target[to + ox] = source[from];
            }
          }
        }
      }
    }
    const whole = images === batchSize;
    // A 2-D slice: wasm's 3-D Slice took 12 ms where this takes 0.5.
    const rows = whole
      ? dy
      : runWasmKernel(tf.Slice, backend, { x: { ...dy, shape: [batchSize * outPlane, outChannels] } }, { begin: [first * outPlane, 0], size: [positions, outChannels] });
    const part = runWasmKernel(tf.BatchMatMul, backend, { a: patches, b: { ...rows, shape: [1, positions, outChannels] } }, { transposeA: false, transposeB: false });
    disposeInfos(backend, patches, ...(whole ? [] : [rows]));
    if (dw === undefined) dw = part;
    else {
      const sum = runWasmKernel(tf.Add, backend, { a: dw, b: part });
      disposeInfos(backend, dw, part);
      dw = sum;
    }
  }
  if (planes !== x) disposeInfos(backend, planes);
  dw!.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return dw!;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
