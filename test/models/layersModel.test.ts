import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFormat, MNIST_FORMAT, sameFormat } from '../../lib/data/format.ts';
import { UserError } from '../../lib/errors.ts';
import { fromLayersModel } from '../../lib/models/layersModel.ts';
import { loadModel } from '../../lib/models/load.ts';
import { fit } from '../../lib/operators/train.ts';
import { tempDir } from '../helpers/files.ts';
import { mnistRows, useTestBackend } from './fixtures.ts';

beforeAll(useTestBackend);

function tinyNet(inputShape: number[], outputs = 10): tf.Sequential {
  return tf.sequential({
    layers: [
      ...(inputShape.length > 1 ? [tf.layers.flatten({ inputShape })] : []),
      tf.layers.dense({ ...(inputShape.length > 1 ? {} : { inputShape }), units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: outputs, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe('fromLayersModel', () => {
  it('reads flat or image input from the model', () => {
    const flat = fromLayersModel(tinyNet([784]), { name: 'flat' });
    const image = fromLayersModel(tinyNet([28, 28, 1]), { name: 'image' });
    expect([flat.inputShape, image.inputShape]).toEqual(['flat', 'image']);
    expect(flat.parameterCount()).toBe(784 * 16 + 16 + 16 * 10 + 10);
    expect(sameFormat(flat.format, MNIST_FORMAT) && sameFormat(image.format, MNIST_FORMAT)).toBe(true);
    flat.dispose();
    image.dispose();
  });

  it('infers the format from the shapes when none is given: size from the input, classes 0..K-1 from the output', () => {
    const colour = fromLayersModel(tinyNet([3072], 5), { name: 'colour' });
    expect(colour.format).toEqual(imageFormat({ width: 32, height: 32, channels: 3, classes: 5 }));
    const small = fromLayersModel(tinyNet([196], 3), { name: 'small' });
    expect(small.format).toEqual(imageFormat({ width: 14, height: 14, classes: ['0', '1', '2'] }));
    // image input is [n, height, width, channels]
    const tall = fromLayersModel(tinyNet([30, 20, 1], 24), { name: 'tall' });
    expect([tall.inputShape, tall.format.width, tall.format.height, tall.format.classes.length]).toEqual(['image', 20, 30, 24]);
    [colour, small, tall].forEach((model) => model.dispose());
  });

  it('checks the shapes against a given format and keeps its class names', () => {
    const format = imageFormat({ width: 20, height: 30, classes: ['ant', 'bee', 'cat'] });
    const flat = fromLayersModel(tinyNet([600], 3), { name: 'flat', format });
    const image = fromLayersModel(tinyNet([30, 20, 1], 3), { name: 'image', format });
    expect([flat.format, image.format]).toEqual([format, format]);
    expect([flat.inputShape, image.inputShape]).toEqual(['flat', 'image']);
    const transposed = tinyNet([20, 30, 1], 3);
    expect(() => fromLayersModel(transposed, { name: 'x', format })).toThrow(
      /^fromLayersModel: the model's input is \[n, 20, 30, 1\], but the format's 20x30 images need \[n, 600\] or \[n, 30, 20, 1\]$/,
    );
    const fourClasses = tinyNet([600], 4);
    expect(() => fromLayersModel(fourClasses, { name: 'x', format })).toThrow(/^fromLayersModel: the model's output is \[n, 4\], but the format has 3 classes: \[n, 3\]$/);
    [flat, image].forEach((model) => model.dispose());
    tf.dispose([transposed, fourClasses].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('saves its format, and loadModel restores an equal one', async () => {
    const dir = join(await tempDir(), 'model-named');
    const format = imageFormat({ width: 16, height: 16, classes: [{ label: '7', name: 'seven' }, { label: '3', name: 'three' }] });
    const model = fromLayersModel(tinyNet([256], 2), { name: 'named', format });
    await model.save(dir);
    const loaded = await loadModel(dir);
    expect(sameFormat(loaded.format, format)).toBe(true);
    model.dispose();
    loaded.dispose();
  });

  it('trains with fit, learns, and frees every tensor it made once disposed', async () => {
    const [train, valid] = await Promise.all([mnistRows(0, 300), mnistRows(300, 100)]);
    const before = tf.memory().numTensors;
    const model = fromLayersModel(tinyNet([784]), { name: 'tiny', learningRate: 3e-3 });
    const events = await lastValueFrom(fit(model, train, { epochs: 3, batchSize: 50, valid }).pipe(toArray()));
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(3);
    expect(epochs[2].loss).toBeLessThan(epochs[0].loss);
    expect(epochs[2].validAccuracy!).toBeGreaterThan(0.5);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('forward gives logits whose softmax is the prediction', () => {
    const model = fromLayersModel(tinyNet([784]), { name: 'tiny' });
    const [fromLogits, predicted] = tf.tidy(() => {
      const x = tf.randomUniform([4, 784], 0, 1, 'float32', 5);
      return [tf.softmax(model.forward(x, false)).arraySync(), model.predict(x).arraySync()];
    });
    for (let i = 0; i < 4; i++) for (let k = 0; k < 10; k++) expect(fromLogits[i][k]).toBeCloseTo(predicted[i][k], 5);
    model.dispose();
  });

  it('saves, and loadModel restores the same model under the same name', async () => {
    const dir = join(await tempDir(), 'model-tiny');
    const model = fromLayersModel(tinyNet([28, 28, 1]), { name: 'tiny', learningRate: 2e-3 });
    await model.save(dir);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('tiny');
    expect(loaded.inputShape).toBe('image');
    expect(loaded.learningRate).toBeCloseTo(2e-3);
    const [a, b] = tf.tidy(() => {
      const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7);
      return [model.predict(x).arraySync(), loaded.predict(x).arraySync()];
    });
    expect(b).toEqual(a);
    model.dispose();
    loaded.dispose();
  });

  it('refuses a model it cannot serve, with a one-line error naming the function', () => {
    const wrongInput = tinyNet([32]);
    expect(() => fromLayersModel(wrongInput, { name: 'x' })).toThrow(UserError);
    expect(() => fromLayersModel(wrongInput, { name: 'x' })).toThrow(
      /^fromLayersModel: the model's input \[n, 32\] is neither a square of grey levels \(784 = 28x28\) nor three squares of RGB \(3072 = 32x32x3\): pass its format$/,
    );
    const wrongOutput = tinyNet([784], 3);
    expect(() => fromLayersModel(wrongOutput, { name: 'x', format: MNIST_FORMAT })).toThrow(/fromLayersModel: the model's output is \[n, 3\], but the format has 10 classes: \[n, 10\]/);
    const net = tinyNet([784]);
    expect(() => fromLayersModel(net, { name: '' })).toThrow(/fromLayersModel: name must be/);
    expect(() => fromLayersModel(net, { name: '../x' })).toThrow(/fromLayersModel: name must be/);
    expect(() => fromLayersModel(net, { name: 'ok', learningRate: 0 })).toThrow(/fromLayersModel: learningRate must be a positive number/);
    tf.dispose([wrongInput, wrongOutput, net].flatMap((m) => m.weights.map((w) => w.read())));
  });
});

describe('a seeded dropout layer in a layers model', () => {
  /** Losses of `steps` steps on one batch with a learning rate too small to move the weights: only the dropout masks change them. */
  async function lossesWithDropout(steps: number): Promise<{ losses: number[]; savedSeed: unknown }> {
    const net = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dropout({ rate: 0.5, seed: 7 }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const model = fromLayersModel(net, { name: 'dropout', learningRate: 1e-12 });
    const xs = tf.randomUniform([32, 784], 0, 1, 'float32', 3);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10) as tf.Tensor2D);
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) losses.push((await model.trainStep(xs, ys)).loss);
    const savedSeed = net.layers[1].getConfig().seed;
    tf.dispose([xs, ys]);
    model.dispose();
    return { losses, savedSeed };
  }

  it('drops other units at every step, the same ones for the same seed, and keeps its seed for saving', async () => {
    const before = tf.memory().numTensors;
    const first = await lossesWithDropout(4);
    const again = await lossesWithDropout(4);
    // tfjs alone would draw one mask for every step: four equal losses
    expect(new Set(first.losses.map((loss) => loss.toFixed(5))).size).toBe(4);
    expect(again.losses).toEqual(first.losses);
    expect(first.savedSeed).toBe(7);
    expect(tf.memory().numTensors).toBe(before);
  });
});
