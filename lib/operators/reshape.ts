import { map, type OperatorFunction } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import { PIXELS, type Batch, type InputShape } from '../types.ts';
import { inputShape } from '../data/pixels.ts';
import { disposeBatch } from '../data/dataset.ts';

/**
 * Gives each batch's `xs` the input shape a model needs: 'flat' [n, 784] (the MLP) or 'image'
 * [n, 28, 28, 1] (the CNN). The incoming `xs` tensor is disposed when a new one replaces it.
 *
 * @example
 * dataset.batches({ batchSize: 64 }).pipe(reshape('image')) // xs: [64, 28, 28, 1]
 */
export function reshape(shape: InputShape): OperatorFunction<Batch, Batch> {
  if (shape !== 'flat' && shape !== 'image') {
    throw new UserError(`reshape: shape must be 'flat' or 'image', got ${String(shape)}`);
  }
  return map((batch) => {
    const n = batch.xs.shape[0];
    if (batch.xs.size !== n * PIXELS) {
      disposeBatch(batch); // it was handed over to this stage, and goes no further
      throw new UserError(`reshape: xs has shape [${batch.xs.shape.join(', ')}], not ${n} images of ${PIXELS} pixels`);
    }
    const target = inputShape(n, shape);
    if (batch.xs.shape.length === target.length && batch.xs.shape.every((d, i) => d === target[i])) return batch;
    const xs = tf.reshape(batch.xs, target);
    batch.xs.dispose();
    return { ...batch, xs };
  });
}
