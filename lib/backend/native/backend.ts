import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { ADAM_KERNELS } from './adamKernel.ts';
import type { NativeAddon } from './addon.ts';
import { BATCH_NORM_KERNELS, BATCH_NORM_TRAIN_KERNELS } from './batchNormKernel.ts';
import { BufferPool } from './bufferPool.ts';
import { CONV_KERNELS } from './convKernels.ts';
import { DENSE_GRADIENT, DENSE_KERNELS } from './denseKernel.ts';
import { ELEMENTWISE_KERNELS } from './elementwiseKernels.ts';
import { installFusedAdam } from './fusedAdam.ts';
import type { NativeKernelArgs, NativeKernelBackend } from './kernelArgs.ts';
import { installLayersTrainingCalls } from './layersCalls.ts';
import { MATMUL_KERNELS } from './matMulKernels.ts';
import { POOL_KERNELS } from './poolKernels.ts';
import { installFusedReluGrad, RELU_GRAD_KERNELS } from './reluGrad.ts';
import { SUM_KERNELS } from './sumKernel.ts';
import { TILE_KERNELS } from './tileKernel.ts';

/** The name the native backend is registered under with tfjs. */
export const NATIVE_BACKEND = 'native';

/** The kernels the addon computes; every other kernel is the cpu backend's. */
export const NATIVE_KERNELS: readonly tf.KernelConfig[] = [
  ...CONV_KERNELS,
  ...POOL_KERNELS,
  ...MATMUL_KERNELS,
  ...DENSE_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...RELU_GRAD_KERNELS,
  ...SUM_KERNELS,
  ...TILE_KERNELS,
  ...ADAM_KERNELS,
  ...BATCH_NORM_KERNELS,
  ...BATCH_NORM_TRAIN_KERNELS,
];

/**
 * tfjs's cpu backend with the kernels that dominate a training step (convolutions and their
 * gradients, matrix products, pooling, element-wise ops, sums) computed by the native addon over
 * oneDNN and OpenMP. Tensors live in the same JavaScript typed arrays as on the cpu backend, so the
 * addon reads and writes them in place, and any kernel or shape it does not take runs the cpu
 * backend's JavaScript kernel unchanged.
 */
export class NativeBackend extends MathBackendCPU implements NativeKernelBackend {
  /** Output buffers of the native kernels, reused across steps. */
  readonly pool = new BufferPool();

  constructor(readonly addon: NativeAddon) {
    super();
    // The cpu backend prints a banner recommending tfjs-node on first use; selectBackend reports the choice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
    // Every tensor's values pass through the storage map, so the pool learns there who holds a buffer.
    const storage = this.data;
    const set = storage.set.bind(storage);
    const remove = storage.delete.bind(storage);
    storage.set = (dataId, value) => {
      const previous = storage.has(dataId) ? storage.get(dataId) : undefined;
      this.pool.hold(value.values);
      set(dataId, value);
      if (previous) this.pool.release(previous.values);
    };
    storage.delete = (dataId) => {
      const previous = storage.has(dataId) ? storage.get(dataId) : undefined;
      const removed = remove(dataId);
      if (previous) this.pool.release(previous.values);
      return removed;
    };
  }

  /** A float32 array for a kernel's output; its contents are undefined until the kernel writes them. */
  allocFloats(length: number): Float32Array {
    return this.pool.take(length);
  }

  releaseFloats(values: Float32Array): void {
    this.pool.release(values);
  }

  writableInPlace(info: tf.TensorInfo): Float32Array | undefined {
    if (info.dtype !== 'float32' || !this.data.has(info.dataId) || this.refCount(info.dataId) !== 1) return undefined;
    const values = this.data.get(info.dataId).values;
    return values instanceof Float32Array && this.pool.soleHolder(values) ? values : undefined;
  }

  override readSync(dataId: object): ReturnType<MathBackendCPU['readSync']> {
    const values = super.readSync(dataId);
    this.pool.expose(values);
    return values;
  }

  cpuKernel(kernelName: string, args: NativeKernelArgs): tf.TensorInfo | tf.TensorInfo[] {
    const config = tf.getKernel(kernelName, 'cpu');
    if (!config) throw new Error(`native backend: no cpu kernel ${kernelName} to fall back to`);
    return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
  }
}

let registered = false;

/**
 * Registers the 'native' backend with tfjs (once): every cpu kernel, with {@link NATIVE_KERNELS}
 * in place of their JavaScript versions. It gets no priority, so tfjs never picks it by itself.
 * tfjs's AdamOptimizer then takes the fused Adam kernel, tf.layers.batchNormalization the fused
 * batch-norm kernels and tf.layers.dense (no activation or ReLU) the fused dense kernels while
 * training, and Relu's gradient one kernel, whenever the native backend runs.
 */
export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  registered = true;
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 0);
  const ours = new Set(NATIVE_KERNELS.map((config) => config.kernelName));
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!ours.has(config.kernelName)) tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
  for (const config of NATIVE_KERNELS) tf.registerKernel(config);
  tf.registerGradient(DENSE_GRADIENT);
  installFusedAdam();
  installLayersTrainingCalls();
  installFusedReluGrad();
}
