import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.ts';
import { fromLayersModel } from '../../lib/models/layersModel.ts';
import { loadModel } from '../../lib/models/load.ts';
import { fit } from '../../lib/operators/train.ts';
import { tempDir } from '../helpers/files.ts';
import { mnistRows, useWasm } from './fixtures.ts';

beforeAll(useWasm);

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
    flat.dispose();
    image.dispose();
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
    expect(() => fromLayersModel(wrongInput, { name: 'x' })).toThrow(/fromLayersModel: the model's input must be \[n, 784\] or \[n, 28, 28, 1\], it is \[n, 32\]/);
    const wrongOutput = tinyNet([784], 3);
    expect(() => fromLayersModel(wrongOutput, { name: 'x' })).toThrow(/fromLayersModel: the model's output must be \[n, 10\]/);
    const net = tinyNet([784]);
    expect(() => fromLayersModel(net, { name: '' })).toThrow(/fromLayersModel: name must be/);
    expect(() => fromLayersModel(net, { name: '../x' })).toThrow(/fromLayersModel: name must be/);
    expect(() => fromLayersModel(net, { name: 'ok', learningRate: 0 })).toThrow(/fromLayersModel: learningRate must be a positive number/);
    tf.dispose([wrongInput, wrongOutput, net].flatMap((m) => m.weights.map((w) => w.read())));
  });
});
