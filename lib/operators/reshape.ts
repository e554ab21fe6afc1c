import { map, type OperatorFunction } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Batch, InputShape } from '../types.ts';
import { MNIST_FORMAT, pixelCount, type ImageSize } from '../data/format.ts';
import { inputShape } from '../data/pixels.ts';
import { disposeBatch } from '../data/dataset.ts';

/**
 * Gives each batch's `xs` the input shape a model needs: 'flat' [n, pixels] (the MLP) or 'image'
 * [n, height, width, channels] (the CNN), for images of `size` (default 28x28 grey; pass the data
 * set's `format`). The incoming `xs` tensor is disposed when a new one replaces it.
 *
 * @example
 * dataset.batches({ batchSize: 64 }).pipe(reshape('image', dataset.format)) // xs: [64, 28, 28, 1]
 */
export function reshape(shape: InputShape, size: ImageSize = MNIST_FORMAT): OperatorFunction<Batch, Batch> {
  const pixels = pixelCount(size);
  if (shape !== 'flat' && shape !== 'image') {
    throw new UserError(`reshape: shape must be 'flat' or 'image', got ${String(shape)}`);
  }
  return map((batch) => {
    const n = batch.xs.shape[0];
    if (batch.xs.size !== n * pixels) {
      disposeBatch(batch); // it was handed over to this stage, and goes no further
      throw new UserError(`reshape: xs has shape [${batch.xs.shape.join(', ')}], not ${n} images of ${pixels} values`);
    }
    const target = inputShape(n, shape, size);
    if (batch.xs.shape.length === target.length && batch.xs.shape.every((d, i) => d === target[i])) return batch;
    const xs = tf.reshape(batch.xs, target);
    batch.xs.dispose();
    return { ...batch, xs };
  });
}
