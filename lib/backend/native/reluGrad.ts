import * as tf from '@tensorflow/tfjs';
import { output, requireFloats, type NativeKernelArgs } from './kernelArgs.ts';

/** The kernel name of ReLU's gradient in one pass; only backends that register it take the fused path. */
export const RELU_GRAD = 'DigitFlowReluGrad';

/** inputs dy, x (the ReLU's input) → dx = dy · step(x). */
function reluGrad(args: NativeKernelArgs): tf.TensorInfo {
  const [dy, x] = ['dy', 'x'].map((name) => requireFloats(args, name, RELU_GRAD));
  if (dy.length !== x.length) throw new Error(`${RELU_GRAD}: dy and x must have one size`);
  const dx = args.backend.allocFloats(x.length);
  args.backend.addon.reluGrad(dy, x, dx, x.length);
  return output(args.backend, args.inputs.x!.shape, dx);
}

/** ReLU's fused gradient kernel of the native backend. */
export const RELU_GRAD_KERNELS: tf.KernelConfig[] = [
  { kernelName: RELU_GRAD, backendName: 'native', kernelFunc: reluGrad as unknown as tf.KernelFunc },
];

let installed = false;

/**
 * Makes the gradient of tfjs's Relu one {@link RELU_GRAD} kernel on a backend that has it, where tfjs
 * records Step, Cast and Multiply (three kernels, two passes over memory); other backends, and
 * non-float32 tensors, keep tfjs's own gradient. Called once when the native backend is registered.
 */
export function installFusedReluGrad(): void {
  if (installed) return;
  installed = true;
  // The registry's own config object, changed in place: registering another would print tfjs's
  // "overriding the gradient" warning, and the original is kept for every other case.
  const config = tf.getGradient(tf.Relu);
  if (!config) return;
  const original = config.gradFunc;
  config.gradFunc = (dy, saved, attrs) => {
    const [x] = saved;
    const fused = !Array.isArray(dy) && dy.dtype === 'float32' && x.dtype === 'float32' && dy.size === x.size && tf.getKernel(RELU_GRAD, tf.getBackend());
    if (!fused) return original(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor };
  };
}
