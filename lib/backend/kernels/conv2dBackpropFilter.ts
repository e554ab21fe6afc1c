import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulPackingLess } from './matMulPlan.ts';
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
 * package does not ship at all, as one XNNPACK convolution with batch and channels swapped: with x
 * seen as [in, H, W, batch] and dy as a filter [outH, outW, batch, out], dilated by the stride,
 * their 'valid' convolution is dW laid out as [in, fh, fw, out].
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
  if (info.inChannels <= FEW_CHANNELS) return byIm2col(backend, x, dy, info);
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temporaries.push(t), t);

  const [, height, width] = x.shape;
  // Rows/columns past the last window's reach never meet dy; 'same' may pad past them, so trim.
  const reachHeight = (info.outHeight - 1) * strideHeight + filterHeight;
  const reachWidth = (info.outWidth - 1) * strideWidth + filterWidth;
  const bottom = reachHeight - padInfo.top - height;
  const right = reachWidth - padInfo.left - width;
  let padded = x;
  if (padInfo.top > 0 || padInfo.left > 0 || bottom > 0 || right > 0) {
    const paddings = [[0, 0], [padInfo.top, Math.max(bottom, 0)], [padInfo.left, Math.max(right, 0)], [0, 0]];
    padded = keep(runWasmKernel(tf.PadV2, backend, { x }, { paddings, constantValue: 0 }));
  }
  const channelsAsBatch = keep(runWasmKernel(tf.Transpose, backend, { x: padded }, { perm: [3, 1, 2, 0] }));
  const dyAsFilter = keep(runWasmKernel(tf.Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] }));
  let gradient = keep(
    runWasmKernel(
      tf.Conv2D,
      backend,
      { x: channelsAsBatch, filter: dyAsFilter },
      { strides: 1, dilations: [strideHeight, strideWidth], pad: 'valid', dataFormat: 'NHWC' },
    ),
  );
  const [inC, gotHeight, gotWidth, outC] = gradient.shape;
  if (gotHeight !== filterHeight || gotWidth !== filterWidth) {
    gradient = keep(
      runWasmKernel(tf.Slice, backend, { x: gradient }, { begin: [0, 0, 0, 0], size: [inC, filterHeight, filterWidth, outC] }),
    );
  }
  const dw = runWasmKernel(tf.Transpose, backend, { x: gradient }, { perm: [1, 2, 0, 3] });
  disposeInfos(backend, ...temporaries);
  return dw;
}

/**
 * Below this many input channels (a first layer on grey images has 1) the swapped convolution has
 * almost no rows to spread over, so XNNPACK's tiles run mostly empty; the patch matrix is small
 * enough there to build in JS and multiply as a plain GEMM instead.
 */
const FEW_CHANNELS = 4;

/**
 * dW as patchesᵀ·dy, where patches is [batch·outH·outW, fh·fw·in] (one row per output position, built
 * in JS) and dy is read as [batch·outH·outW, out]. The product packs the smaller operand, which here
 * is patches: dy of a first layer is millions of floats, and XNNPACK would repack it every step.
 */
function byIm2col(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const taps = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const patches = backend.makeOutput([positions, taps], 'float32');
  // Views only after makeOutput: an allocation may grow the heap and detach earlier views.
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const target = backend.typedArrayFromHeap(patches) as Float32Array;
  // Taps that fall outside the image stay 0; the rest are copied one (tap, output row) run at a
  // time, with the run's bounds worked out once instead of tested for every value.
  target.fill(0);
  const tapRow = filterWidth * inChannels;
  const step = strideWidth * inChannels;
  for (let fy = 0; fy < filterHeight; fy++) {
    for (let fx = 0; fx < filterWidth; fx++) {
      const tap = fy * tapRow + fx * inChannels;
      // Output columns whose window column fx lands inside the image: 0 <= ox·stride + fx - left < inWidth.
      const oxFrom = Math.max(0, Math.ceil((padInfo.left - fx) / strideWidth));
      const oxTo = Math.min(outWidth, Math.floor((inWidth - 1 + padInfo.left - fx) / strideWidth) + 1);
      for (let b = 0; b < batchSize; b++) {
        for (let oy = 0; oy < outHeight; oy++) {
          const y = oy * strideHeight + fy - padInfo.top;
          if (y < 0 || y >= inHeight) continue;
          let to = ((b * outHeight + oy) * outWidth + oxFrom) * taps + tap;
          let from = ((b * inHeight + y) * inWidth + oxFrom * strideWidth + fx - padInfo.left) * inChannels;
          if (inChannels === 1) {
            for (let ox = oxFrom; ox < oxTo; ox++, to += taps, from += step) target[to] = source[from];
          } else {
            for (let ox = oxFrom; ox < oxTo; ox++, to += taps, from += step) {
              for (let c = 0; c < inChannels; c++) target[to + c] = source[from + c];
            }
          }
        }
      }
    }
  }
  const dyMatrix = { ...dy, shape: [positions, outChannels] };
  const dw = matMulPackingLess(backend, patches, dyMatrix, true, false)!;
  disposeInfos(backend, patches);
  dw.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return dw;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
