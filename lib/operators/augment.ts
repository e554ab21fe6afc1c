import { defer, map, type OperatorFunction } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Batch } from '../types.ts';
import { imageJitter, jitterLimits, type AugmentOptions, type ImageJitter } from '../data/affine.ts';
import { checkRecord } from '../data/check.ts';
import { disposeBatch } from '../data/dataset.ts';
import { writeUnitPixels, type AnyImage } from '../data/pixels.ts';
import { MNIST_FORMAT, pixelCount, type ImageSize } from '../data/format.ts';
import { DEFAULT_SEED, seededRandom, type Random } from '../data/random.ts';

/**
 * Random affine jitter of each image of `size` (default 28x28 grey; pass the data set's `format`) — a shift of up to `maxShiftPx` per axis, a rotation of
 * up to `maxRotateDeg`, a zoom by up to `maxZoom`, and with `maxElasticPx` an elastic distortion that
 * bends strokes (control points `elasticGridPx` apart) — with bilinear sampling; the background stays 0.
 * Works on batches (the incoming `xs` is disposed and replaced, shape kept) or on single records
 * (raw records stay bytes, rounded). Deterministic for a seed and a source order; each subscription
 * replays the same jitter. Defaults: 2 px, 10°, 0.1, seed 20742. For an `ImageDataset`,
 * `batches({ augment })` does the same before the tensors are made, with a new jitter per epoch seed.
 *
 * @example
 * dataset.batches({ batchSize: 64 }).pipe(augment({ maxShiftPx: 2, maxRotateDeg: 10, seed: 1 }))
 * dataset.batches({ batchSize: 64 }).pipe(augment({ maxElasticPx: 2, elasticGridPx: 4, seed: 1 })) // bends too
 */
export function augment<T extends Batch | AnyImage>(options: AugmentOptions = {}, size: ImageSize = MNIST_FORMAT): OperatorFunction<T, T> {
  const limits = jitterLimits('augment', options, size);
  const seed = options.seed ?? DEFAULT_SEED;
  return (source) =>
    defer(() => {
      const random = seededRandom(seed);
      // One per subscription: its scratch and elastic field are reused for every record.
      const jitter = imageJitter(limits, size);
      return source.pipe(
        map((value) => ('xs' in value ? jitterBatch(value, random, jitter, size) : jitterRecord(value, random, jitter, size)) as T),
      );
    });
}

function jitterBatch(batch: Batch, random: Random, jitter: ImageJitter, size: ImageSize): Batch {
  const n = batch.xs.shape[0];
  if (batch.xs.size !== n * pixelCount(size)) {
    disposeBatch(batch); // it was handed over to this stage, and goes no further
    throw new UserError(`augment: xs has shape [${batch.xs.shape.join(', ')}], not ${n} images of ${pixelCount(size)} values`);
  }
  // A copy: the array dataSync returns may be the tensor's own storage.
  const pixels = Float32Array.from(batch.xs.dataSync());
  jitter(pixels, n, random);
  const xs = tf.tensor(pixels, batch.xs.shape, 'float32');
  batch.xs.dispose();
  return { ...batch, xs };
}

function jitterRecord(record: AnyImage, random: Random, jitter: ImageJitter, size: ImageSize): AnyImage {
  if (record.pixels.length !== pixelCount(size)) {
    throw new UserError(`augment: record ${record.id}: pixels has ${record.pixels.length} values, expected ${pixelCount(size)} (pass the data set's format)`);
  }
  checkRecord('augment', record);
  const pixels = new Float32Array(pixelCount(size));
  writeUnitPixels(pixels, 0, record.pixels);
  jitter(pixels, 1, random);
  if (record.pixels instanceof Float32Array) return { ...record, pixels };
  return { ...record, pixels: Uint8Array.from(pixels, (v) => Math.round(v * 255)) };
}
