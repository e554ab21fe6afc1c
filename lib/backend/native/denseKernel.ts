import * as tf from '@tensorflow/tfjs';
import { output, requireFloats, type NativeKernelArgs, type NativeKernelBackend } from './kernelArgs.ts';

/** The kernel name of a dense layer's training forward pass in one call: product, bias, activation. */
export const DENSE = 'DigitFlowDense';
/** The kernel name of a dense layer's gradients in one call. */
export const DENSE_GRAD = 'DigitFlowDenseGrad';

/** The activations {@link DENSE} applies after the product and the bias. */
export type DenseActivation = 'linear' | 'relu';

/** Attributes of {@link DENSE}. */
export interface DenseAttrs {
  activation: DenseActivation;
  /**
   * Which gradients may be needed, each because its tensor comes from a trainable variable (the
   * gradient cannot see the inputs, only the saved tensors): those are computed in one call, any
   * other only if asked for. A first layer's input is data; a frozen layer's kernel is not trainable.
   */
  inputGradient: boolean;
  kernelGradient: boolean;
  /** False also when no bias is given. */
  biasGradient: boolean;
}

/** Attributes of {@link DENSE_GRAD}: the activation, and which gradients to compute, in this order. */
export interface DenseGradAttrs {
  activation: DenseActivation;
  dx: boolean;
  dKernel: boolean;
  dBias: boolean;
}

/** rows, inner and columns of x [rows, inner] · kernel [inner, columns]. */
function sizes(inputs: tf.NamedTensorInfoMap): { m: number; k: number; n: number } {
  const [m, k] = inputs.x!.shape as [number, number];
  return { m, k, n: inputs.kernel!.shape[1]! };
}

/** c = op(a) · op(b) through the addon, the same call tfjs's BatchMatMul makes on this backend. */
function product(backend: NativeKernelBackend, a: Float32Array, b: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): Float32Array {
  const c = backend.allocFloats(m * n);
  if (!backend.addon.matMul(a, b, c, 1, m, n, k, transposeA, transposeB, 0, 0)) {
    backend.releaseFloats(c);
    throw new Error(`${DENSE}: oneDNN refused the product [${m}, ${k}] x [${k}, ${n}]`);
  }
  return c;
}

/** inputs x [m, k], kernel [k, n], bias [n] (optional) → activation(x · kernel + bias). */
function dense(args: NativeKernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const { activation } = args.attrs as unknown as DenseAttrs;
  const [x, kernel] = ['x', 'kernel'].map((name) => requireFloats(args, name, DENSE));
  const bias = inputs.bias === undefined ? null : requireFloats(args, 'bias', DENSE);
  const { m, k, n } = sizes(inputs);
  const y = product(backend, x, kernel, m, n, k, false, false);
  if (bias || activation === 'relu') backend.addon.biasActivation(y, bias, m, n, activation === 'relu');
  return output(backend, [m, n], y);
}

/**
 * inputs dy, x, kernel and (for ReLU) the forward output y → the gradients the attributes ask for,
 * in the order dx, dKernel, dBias. The same addon calls as tfjs's gradients of BatchMatMul, Add and
 * Relu make on this backend, so the same bits; the two products run back to back, while the
 * threads that computed the first are still awake.
 */
function denseGrad(args: NativeKernelArgs): tf.TensorInfo[] {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as DenseGradAttrs;
  const [dy, x, kernel] = ['dy', 'x', 'kernel'].map((name) => requireFloats(args, name, DENSE_GRAD));
  const { m, k, n } = sizes(inputs);
  const relu = attrs.activation === 'relu';
  // ReLU's gradient tests the output: y > 0 exactly where the product plus bias is (NaN stays NaN).
  const g = relu ? backend.allocFloats(m * n) : dy;
  if (relu) backend.addon.reluGrad(dy, requireFloats(args, 'y', DENSE_GRAD), g, m * n);
  try {
    const outputs: tf.TensorInfo[] = [];
    if (attrs.dx) outputs.push(output(backend, [m, k], product(backend, g, kernel, m, k, n, false, true)));
    if (attrs.dKernel) outputs.push(output(backend, [k, n], product(backend, x, g, k, n, m, true, false)));
    if (attrs.dBias) {
      const dBias = backend.allocFloats(n);
      backend.addon.sum(g, dBias, m, n, true);
      outputs.push(output(backend, [n], dBias));
    }
    return outputs;
  } finally {
    if (relu) backend.releaseFloats(g);
  }
}

/** The fused dense kernels (forward and gradient) of the native backend. */
export const DENSE_KERNELS: tf.KernelConfig[] = [
  { kernelName: DENSE, backendName: 'native', kernelFunc: dense as unknown as tf.KernelFunc },
  { kernelName: DENSE_GRAD, backendName: 'native', kernelFunc: denseGrad as unknown as tf.KernelFunc },
];

/**
 * The gradient of {@link DENSE}. tfjs asks for each input's gradient in turn, and only for the inputs
 * that lead back to what it differentiates: the ones {@link DenseAttrs} says may be needed are
 * computed in one {@link DENSE_GRAD} call before it asks (a first layer's input is data, and its
 * gradient's product would be thrown away). One it did not foresee is computed when asked for; one
 * computed and never asked for is disposed with the backward pass.
 * Under a tape (a gradient of a gradient), tfjs's own differentiable ops compute them instead.
 */
export const DENSE_GRADIENT: tf.GradConfig = {
  kernelName: DENSE,
  inputsToSave: ['x', 'kernel'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, kernel, y] = saved;
    const { activation, inputGradient, kernelGradient, biasGradient } = attrs as unknown as DenseAttrs;
    const upstream = dy as tf.Tensor2D;
    if (tf.engine().state.gradientDepth > 0) {
      const g = (): tf.Tensor => (activation === 'relu' ? tf.mul(upstream, tf.step(y)) : upstream);
      return { x: () => tf.matMul(g(), kernel, false, true), kernel: () => tf.matMul(x, g(), true, false), bias: () => tf.sum(g(), 0) };
    }
    const gradients = (wanted: Omit<DenseGradAttrs, 'activation'>): tf.Tensor[] => {
      const inputs: tf.NamedTensorMap = activation === 'relu' ? { dy: upstream, x, kernel, y } : { dy: upstream, x, kernel };
      return tf.engine().runKernel(DENSE_GRAD, inputs, { activation, ...wanted } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    };
    // Computed now, in the backward pass's scope: a tensor made inside the first thunk would be
    // disposed with that thunk's scope before tfjs asks for the next.
    const outputs = inputGradient || kernelGradient || biasGradient ? gradients({ dx: inputGradient, dKernel: kernelGradient, dBias: biasGradient }) : [];
    const [dx, dKernel, dBias] = [inputGradient, kernelGradient, biasGradient].map((computed) => (computed ? outputs.shift() : undefined));
    return {
      x: () => dx ?? gradients({ dx: true, dKernel: false, dBias: false })[0],
      kernel: () => dKernel ?? gradients({ dx: false, dKernel: true, dBias: false })[0],
      bias: () => dBias ?? gradients({ dx: false, dKernel: false, dBias: true })[0],
    };
  },
};

/** The parts of tfjs's tape a layer's input is traced through (internal in its typings). */
interface TapeNodeLike {
  inputs: tf.NamedTensorMap;
  outputs: tf.Tensor[];
}

/** Per tape: the node that made each tensor, and the tensors already found (not) to come from a variable. */
const tapeIndexes = new WeakMap<TapeNodeLike[], { indexed: number; producers: Map<number, TapeNodeLike>; derived: Map<number, boolean> }>();

/**
 * Whether a gradient may reach `t`: it is a trainable variable, or the tape recorded it being made
 * from one. The data a first layer takes is neither, even through a reshape recorded on the tape.
 * Without a tape, true (nothing is known).
 */
function mayNeedGradient(t: tf.Tensor): boolean {
  const tape = (tf.engine().state as unknown as { activeTape: TapeNodeLike[] | null }).activeTape;
  if (!tape) return true;
  let index = tapeIndexes.get(tape);
  if (!index) tapeIndexes.set(tape, (index = { indexed: 0, producers: new Map(), derived: new Map() }));
  for (; index.indexed < tape.length; index.indexed++) {
    for (const made of tape[index.indexed].outputs) index.producers.set(made.id, tape[index.indexed]);
  }
  // Depth first without recursion: a tape can hold a chain of ops far deeper than the call stack.
  const stack: tf.Tensor[] = [t];
  while (stack.length > 0) {
    const tensor = stack[stack.length - 1];
    if (index.derived.has(tensor.id)) {
      stack.pop();
      continue;
    }
    const producer = tensor instanceof tf.Variable ? undefined : index.producers.get(tensor.id);
    const inputs = producer ? Object.values(producer.inputs).filter((input): input is tf.Tensor => input !== undefined) : [];
    const pending = inputs.filter((input) => !index.derived.has(input.id));
    if (pending.length > 0) {
      stack.push(...pending);
      continue;
    }
    const result = tensor instanceof tf.Variable ? tensor.trainable : inputs.some((input) => index.derived.get(input.id));
    index.derived.set(tensor.id, result);
    stack.pop();
  }
  return index.derived.get(t.id)!;
}

/**
 * A dense layer's training forward pass as one {@link DENSE} kernel with its one-call gradient
 * ({@link DENSE_GRADIENT}), for a backend that registers it: activation(x · kernel + bias).
 * `weightsTrainable` false (a frozen layer: tfjs-layers keeps its variables trainable and leaves
 * them out of what it differentiates) computes the weights' gradients only if asked for.
 *
 * @example
 * const h = denseTrainOp(x, kernel.read() as tf.Tensor2D, bias.read() as tf.Tensor1D, 'relu');
 */
export function denseTrainOp(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, activation: DenseActivation, weightsTrainable = true): tf.Tensor2D {
  // The kernels trust these shapes with raw memory: a mismatch must stop here.
  const fits = x.rank === 2 && kernel.rank === 2 && x.shape[1] === kernel.shape[0] && (bias === null || (bias.rank === 1 && bias.shape[0] === kernel.shape[1]));
  if (!fits) throw new Error(`${DENSE}: input [${x.shape}], kernel [${kernel.shape}] and bias [${bias?.shape ?? 'none'}] do not fit one dense layer`);
  const attrs: DenseAttrs = {
    activation,
    inputGradient: mayNeedGradient(x),
    kernelGradient: weightsTrainable && mayNeedGradient(kernel),
    biasGradient: weightsTrainable && bias !== null && mayNeedGradient(bias),
  };
  const inputs: tf.NamedTensorMap = bias ? { x, kernel, bias } : { x, kernel };
  return tf.engine().runKernel(DENSE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
