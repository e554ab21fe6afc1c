import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname } from 'node:path';
import { UserError } from '../errors.ts';
import { parseBackendChoice, type BackendChoice, type BackendName } from './backendChoice.ts';
import { registerTrainingKernels, unregisterTrainingKernels } from './kernels/register.ts';
import { loadNativeAddon } from './native/addon.ts';
import { NATIVE_BACKEND, NATIVE_KERNELS, registerNativeBackend } from './native/backend.ts';
import { withThreadedWasm } from './wasmThreads.ts';

// defined apart, without tfjs, for the CLI's options
export { BACKEND_CHOICES, parseBackendChoice, type BackendChoice, type BackendName } from './backendChoice.ts';

/** Options of {@link selectBackend}. */
export interface BackendOptions {
  /** 'auto' (default): the first of 'tensorflow', 'native', 'wasm', 'cpu' that loads. */
  backend?: BackendChoice;
  /**
   * Threads to compute on (default: all cores). native: its OpenMP pool, any count from 1. wasm:
   * XNNPACK threads, 1–8, fixed by the first wasm initialisation.
   */
  threads?: number;
  /** wasm only: register the fast training kernels (default true). */
  trainingKernels?: boolean;
}

/** What {@link selectBackend} set up: the backend now running, its threads and why it was chosen. */
export interface BackendInfo {
  /** The backend tfjs now computes on. */
  name: BackendName;
  /** Threads the backend computes on (tfjs-node: its own pool, reported as the core count). */
  threads: number;
  /** Kernels this library registered for training on this backend. */
  trainingKernels: string[];
  /** Why this backend runs, for logs and reports, e.g. "native (auto: @tensorflow/tfjs-node not installed)". */
  reason: string;
}

/**
 * The threaded wasm build starts a pool of 8 pthread workers while it loads; more threads would make
 * it start workers later, after the scripts they load from are gone (see wasmThreads.ts).
 */
const MAX_WASM_THREADS = 8;

/**
 * Picks and initialises the tfjs backend, and says which one runs and why.
 *
 * @example
 * const info = await selectBackend({ backend: options.backend });
 * console.log(`backend: ${info.reason}, ${info.threads} threads`);
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const { backend = 'auto', trainingKernels = true } = options;
  parseBackendChoice(backend);
  const wasmLimit = backend === 'wasm' ? MAX_WASM_THREADS : Number.MAX_SAFE_INTEGER;
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > wasmLimit)) {
    const range = backend === 'wasm' ? `from 1 to ${MAX_WASM_THREADS}` : 'of at least 1';
    throw new UserError(`backend option threads must be an integer ${range}, got ${options.threads}`);
  }
  const threads = options.threads ?? os.availableParallelism();
  const wasmThreads = Math.min(threads, MAX_WASM_THREADS);
  if (backend === 'tensorflow' || backend === 'auto') {
    const failure = await tryTensorflow();
    if (failure === undefined) return info('tensorflow', os.availableParallelism(), [], 'tensorflow (tfjs-node)');
    if (backend === 'tensorflow') throw new UserError(`backend 'tensorflow' unavailable: ${failure}`);
    const nativeFailure = await tryNative(threads);
    if (nativeFailure === undefined) return info('native', threads, nativeKernelNames(), `native (auto: ${failure})`);
    if (await tryWasm(wasmThreads)) {
      return info('wasm', wasmThreadsCount(), wasmKernels(trainingKernels), `wasm (auto: ${failure}; ${nativeFailure})`);
    }
    await setBackendOrThrow('cpu');
    return info('cpu', 1, [], `cpu (auto: ${failure}; ${nativeFailure}; wasm failed to initialise)`);
  }
  if (backend === 'native') {
    const failure = await tryNative(threads);
    if (failure !== undefined) throw new UserError(`backend 'native' unavailable: ${failure}`);
    return info('native', threads, nativeKernelNames(), 'native (requested)');
  }
  if (backend === 'wasm') {
    if (!(await tryWasm(wasmThreads))) throw new UserError("backend 'wasm' failed to initialise");
    return info('wasm', wasmThreadsCount(), wasmKernels(trainingKernels), 'wasm (requested)');
  }
  await setBackendOrThrow('cpu');
  return info('cpu', 1, [], 'cpu (requested)');
}

/** Our training kernels on, or the shipped ones back, as asked; returns the names now registered. */
function wasmKernels(wanted: boolean): string[] {
  if (wanted) return registerTrainingKernels();
  unregisterTrainingKernels();
  return [];
}

function info(name: BackendName, threads: number, trainingKernels: string[], reason: string): BackendInfo {
  return { name, threads, trainingKernels, reason };
}

/** Loads @tensorflow/tfjs-node (an optional dependency); returns why it cannot be used, or undefined. */
async function tryTensorflow(): Promise<string | undefined> {
  try {
    const packageName = '@tensorflow/tfjs-node';
    await import(packageName);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' ? '@tensorflow/tfjs-node not installed' : `@tensorflow/tfjs-node failed to load: ${(error as Error).message.split('\n')[0]}`;
  }
  return (await tf.setBackend('tensorflow')) ? undefined : "@tensorflow/tfjs-node loaded but backend 'tensorflow' failed";
}

/** Loads the addon, registers and selects the native backend; returns why it cannot be used, or undefined. */
async function tryNative(threads: number): Promise<string | undefined> {
  const load = loadNativeAddon();
  if ('reason' in load) return load.reason;
  registerNativeBackend(load.addon);
  load.addon.setThreads(threads);
  return (await tf.setBackend(NATIVE_BACKEND)) ? undefined : "backend 'native' failed to initialise";
}

function nativeKernelNames(): string[] {
  return [...new Set(NATIVE_KERNELS.map((config) => config.kernelName))];
}

let wasmInitialised: Promise<boolean> | undefined;
let wasmPackage: typeof import('@tensorflow/tfjs-backend-wasm') | undefined;

function wasmThreadsCount(): number {
  return wasmPackage?.getThreadsCount() ?? 1;
}

/** Initialises wasm once per process (its module and thread pool cannot be re-made), then selects it. */
async function tryWasm(threads: number): Promise<boolean> {
  wasmInitialised ??= initialiseWasm(threads);
  return (await wasmInitialised) && tf.setBackend('wasm');
}

async function initialiseWasm(threads: number): Promise<boolean> {
  // Imported on demand: importing the package registers its backend with top priority, after which
  // tfjs refuses to make any tensor until that backend is initialised, even for users who never pick it.
  const wasm = (wasmPackage = await import('@tensorflow/tfjs-backend-wasm'));
  const require = createRequire(import.meta.url);
  // Files from node_modules, never the network.
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  wasm.setThreadsCount(threads);
  try {
    if (threads === 1) return await tf.setBackend('wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    const ok = await withThreadedWasm(threads, () => tf.setBackend('wasm'));
    if (ok) unrefThreadPool();
    return ok;
  } catch {
    return false;
  }
}

interface EmscriptenThreads {
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/** XNNPACK's pool threads run for the life of the module; they must not keep Node from exiting. */
function unrefThreadPool(): void {
  const module = (tf.backend() as unknown as { wasm: EmscriptenThreads }).wasm;
  for (const worker of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) {
    worker.unref();
  }
}

async function setBackendOrThrow(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new UserError(`backend '${name}' failed to initialise`);
  // The cpu backend prints a four-line banner on its first tensor, suggesting tfjs-node; the choice of
  // backend is already reported by selectBackend's reason, once.
  if (name === 'cpu') {
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  }
}
