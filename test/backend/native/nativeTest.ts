import * as tf from '@tensorflow/tfjs';
import { describe, expect } from 'vitest';
import { loadNativeAddon, type NativeAddon } from '../../../lib/backend/native/addon.ts';
import type { NativeBackend } from '../../../lib/backend/native/backend.ts';
import { selectBackend } from '../../../lib/backend/selectBackend.ts';
import { seededRandom } from '../../../lib/data/random.ts';

const load = loadNativeAddon();
/** Why the addon cannot load here, or undefined when it does. */
export const nativeUnavailable: string | undefined = 'reason' in load ? load.reason : undefined;
/** CI sets REQUIRE_NATIVE=1: there a missing addon fails the tests instead of skipping them. */
const required = process.env.REQUIRE_NATIVE === '1';

/**
 * A describe block that needs the native addon: skipped (the reason in its title) where the addon
 * does not load, unless REQUIRE_NATIVE=1, where it runs and {@link useNative} fails it.
 */
export function describeNative(title: string, body: () => void): void {
  const skip = nativeUnavailable !== undefined && !required;
  describe.skipIf(skip)(skip ? `${title} (skipped: ${nativeUnavailable})` : title, body);
}

/** The addon's entry points a kernel called and that did the work (a conv refused by oneDNN is not one). */
export const addonCalls: string[] = [];

let tracked: NativeAddon | undefined;

/**
 * Selects the native backend (failing with the reason when the addon does not load) and routes the
 * backend's addon calls through a recorder, so a test can tell a native kernel from a cpu fallback.
 */
export async function useNative(): Promise<NativeBackend> {
  if (nativeUnavailable !== undefined) {
    throw new Error(`the native addon is required (REQUIRE_NATIVE=1) but unavailable: ${nativeUnavailable}`);
  }
  const info = await selectBackend({ backend: 'native' });
  expect(info.name).toBe('native');
  // The cpu backend prints a banner recommending tfjs-node the first time a test switches to it.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
  const backend = nativeBackend();
  if (tracked === undefined) {
    const real = backend.addon;
    const recorder: Record<string, unknown> = {};
    for (const name of Object.keys(real)) {
      const method = (real as unknown as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      recorder[name] = (...args: unknown[]): unknown => {
        const result: unknown = method.apply(real, args);
        if (result !== false) addonCalls.push(name);
        return result;
      };
    }
    tracked = recorder as unknown as NativeAddon;
    (backend as unknown as { addon: NativeAddon }).addon = tracked;
  }
  return backend;
}

/** The registered native backend instance. */
export function nativeBackend(): NativeBackend {
  const backend = tf.findBackend('native');
  if (!backend) throw new Error('native backend not registered');
  return backend as unknown as NativeBackend;
}

/** The real addon (not the recorder). */
export function realAddon(): NativeAddon {
  if ('reason' in load) throw new Error(load.reason);
  return load.addon;
}

/** What one backend computed: values copied out, shape and dtype. */
export interface Computed {
  values: tf.TypedArray;
  shape: number[];
  dtype: tf.DataType;
}

/** One run on the native backend: its outputs and the addon entry points it used. */
export interface NativeRun {
  outputs: Computed[];
  calls: string[];
}

/**
 * Runs `compute` on `backendName` inside a tidy and returns copies of its outputs. `compute` makes its
 * own tensors (from plain arrays), so each backend gets tensors of its own. Checks that nothing is
 * left behind: no tensor, and on native no native scratch buffer.
 */
export async function computeOn(backendName: 'cpu' | 'native', compute: () => tf.Tensor | tf.Tensor[]): Promise<NativeRun> {
  expect(await tf.setBackend(backendName)).toBe(true);
  const before = tf.memory().numTensors;
  addonCalls.length = 0;
  const result = tf.tidy(compute);
  const tensors = Array.isArray(result) ? result : [result];
  const calls = [...addonCalls];
  const outputs = tensors.map((t) => ({ values: t.dataSync().slice(), shape: t.shape, dtype: t.dtype }));
  tf.dispose(tensors);
  expect(tf.memory().numTensors).toBe(before);
  if (backendName === 'native') expect(realAddon().stats().buffers).toBe(0);
  return { outputs, calls };
}

/**
 * Where `actual` differs from `expected` by more than `tolerance` times the largest finite magnitude
 * of `expected` (0: exactly), or puts NaN or an infinity somewhere else; undefined when it does not.
 */
export function mismatch(actual: tf.TypedArray, expected: tf.TypedArray, tolerance: number): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} values, expected ${expected.length}`;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i] as number));
  const allowed = tolerance * (scale === 0 ? 1 : scale);
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) || Number.isNaN(a) || !Number.isFinite(e) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(a === e)) return `value ${i}: ${a}, expected ${e}`;
      continue;
    }
    const diff = Math.abs(a - e);
    if (diff > worstDiff) (worstDiff = diff), (worst = i);
  }
  if (worstDiff > allowed) {
    return `value ${worst}: ${actual[worst]}, expected ${expected[worst]} (difference ${worstDiff.toExponential(2)}, allowed ${allowed.toExponential(2)})`;
  }
  return undefined;
}

/** Expects the same shape, dtype and values (within `tolerance` relative to the largest magnitude). */
export function expectSame(actual: Computed, expected: Computed, tolerance: number): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  expect(mismatch(actual.values, expected.values, tolerance)).toBeUndefined();
}

/**
 * Computes on cpu and on native, expects equal outputs, and returns the addon calls native made (to
 * tell a native kernel from a fallback).
 */
export async function expectNativeMatchesCpu(compute: () => tf.Tensor | tf.Tensor[], tolerance: number): Promise<string[]> {
  const cpu = await computeOn('cpu', compute);
  const native = await computeOn('native', compute);
  expect(native.outputs.length).toBe(cpu.outputs.length);
  native.outputs.forEach((output, i) => expectSame(output, cpu.outputs[i], tolerance));
  return native.calls;
}

/** Seeded values in [-1, 1) for a shape. */
export function randomArray(shape: number[], seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
}

/** Seeded integers in [low, high]. */
export function randomInts(count: number, low: number, high: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => low + Math.floor(random() * (high - low + 1)));
}
