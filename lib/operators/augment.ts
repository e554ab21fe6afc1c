import { defer, map, type OperatorFunction } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import { PIXELS, type Batch } from '../types.ts';
import { jitterImages, jitterLimits, type AugmentOptions, type JitterLimits } from '../data/affine.ts';
import { checkRecord } from '../data/check.ts';
import { disposeBatch } from '../data/dataset.ts';
import { writeUnitPixels, type AnyDigit } from '../data/pixels.ts';
import { DEFAULT_SEED, seededRandom, type Random } from '../data/random.ts';

/**
 * Random affine jitter of each 28x28 digit — a shift of up to `maxShiftPx` per axis, a rotation of
 * up to `maxRotateDeg`, a zoom by up to `maxZoom` — with bilinear sampling; the background stays 0.
 * Works on batches (the incoming `xs` is disposed and replaced, shape kept) or on single records
 * (raw records stay bytes, rounded). Deterministic for a seed and a source order; each subscription
 * replays the same jitter. Defaults: 2 px, 10°, 0.1, seed 20742. For a `DigitDataset`,
 * `batches({ augment })` does the same before the tensors are made, with a new jitter per epoch seed.
 *
 * @example
 * dataset.batches({ batchSize: 64 }).pipe(augment({ maxShiftPx: 2, maxRotateDeg: 10, seed: 1 }))
 */
export function augment<T extends Batch | AnyDigit>(options: AugmentOptions = {}): OperatorFunction<T, T> {
  const limits = jitterLimits('augment', options);
  const seed = options.seed ?? DEFAULT_SEED;
  return (source) =>
    defer(() => {
      const random = seededRandom(seed);
      return source.pipe(
        map((value) => ('xs' in value ? jitterBatch(value, random, limits) : jitterRecord(value, random, limits)) as T),
      );
    });
}

function jitterBatch(batch: Batch, random: Random, limits: JitterLimits): Batch {
  const n = batch.xs.shape[0];
  if (batch.xs.size !== n * PIXELS) {
    disposeBatch(batch); // it was handed over to this stage, and goes no further
    throw new UserError(`augment: xs has shape [${batch.xs.shape.join(', ')}], not ${n} images of ${PIXELS} pixels`);
  }
  // A copy: the array dataSync returns may be the tensor's own storage.
  const pixels = Float32Array.from(batch.xs.dataSync());
  jitterImages(pixels, n, random, limits);
  const xs = tf.tensor(pixels, batch.xs.shape, 'float32');
  batch.xs.dispose();
  return { ...batch, xs };
}

function jitterRecord(record: AnyDigit, random: Random, limits: JitterLimits): AnyDigit {
  checkRecord('augment', record);
  const pixels = new Float32Array(PIXELS);
  writeUnitPixels(pixels, 0, record.pixels);
  jitterImages(pixels, 1, random, limits);
  if (record.pixels instanceof Float32Array) return { ...record, pixels };
  return { ...record, pixels: Uint8Array.from(pixels, (v) => Math.round(v * 255)) };
}
