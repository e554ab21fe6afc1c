/**
 * Trains a small seeded network on real MNIST digits with the given backend options and prints one
 * JSON line { threads, accuracy, losses }: run by threads.test.ts once per thread count, each in its
 * own process because a wasm module's thread count is fixed when it loads.
 *   node --import tsx test/backend/train-subset.ts '{"threads":2,"network":"cnn"}'
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { selectBackend } from '../../lib/backend/selectBackend.ts';
import { DigitDataset, disposeBatch } from '../../lib/data/dataset.ts';
import { mnistDataDir, readIdxDigits, type MnistDigits } from '../../lib/io/idx.ts';
import { PIXELS } from '../../lib/types.ts';

interface Options {
  threads: number;
  network: 'mlp' | 'cnn';
  trainSize?: number;
  epochs?: number;
}

const { threads, network, trainSize = 2048, epochs = 3 } = JSON.parse(process.argv[2] ?? '{}') as Options;
const info = await selectBackend({ backend: 'wasm', threads });
const dir = mnistDataDir();
const train = toDataset(
  await readIdxDigits(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte')),
  trainSize,
);
const test = toDataset(await readIdxDigits(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte')), 1000);
const shape = network === 'cnn' ? 'image' : 'flat';

const model = build(network);
const optimizer = tf.train.adam(2e-3);
const losses: number[] = [];
for (let epoch = 0; epoch < epochs; epoch++) {
  await lastValueFrom(
    train.batches({ batchSize: 64, shuffle: true, seed: epoch, shape }).pipe(
      tap((batch) => {
        const loss = optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(batch.ys!, model.apply(batch.xs, { training: true }) as tf.Tensor) as tf.Scalar,
          true,
        )!;
        losses.push(loss.dataSync()[0]);
        loss.dispose();
        disposeBatch(batch);
      }),
    ),
  );
}

let correct = 0;
await lastValueFrom(
  test.batches({ batchSize: 250, shape }).pipe(
    tap((batch) => {
      const predicted = tf.tidy(() => tf.argMax(model.predict(batch.xs) as tf.Tensor, 1).dataSync());
      const truth = tf.tidy(() => tf.argMax(batch.ys!, 1).dataSync());
      predicted.forEach((p, i) => (correct += p === truth[i] ? 1 : 0));
      disposeBatch(batch);
    }),
  ),
);
console.log(JSON.stringify({ threads: info.threads, accuracy: correct / test.size, losses }));
process.exit(0);

function toDataset(digits: MnistDigits, count: number): DigitDataset {
  const ids = Int32Array.from({ length: count }, (_, i) => i + 1);
  return new DigitDataset(digits.images.slice(0, count * PIXELS), ids, digits.labels.slice(0, count));
}

/** Seeded initial weights, so that every thread count starts from the same network. */
function build(kind: 'mlp' | 'cnn'): tf.Sequential {
  const init = (seed: number): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed });
  const layers =
    kind === 'mlp'
      ? [
          tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu', kernelInitializer: init(1) }),
          tf.layers.dense({ units: 10, kernelInitializer: init(2) }),
        ]
      : [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
        ];
  return tf.sequential({ layers });
}
