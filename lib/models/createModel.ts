import type { ImageFormat } from '../data/format.ts';
import { Cnn } from './cnn.ts';
import { createMlp } from './mlp.ts';
import type { DigitModel } from './model.ts';
import type { ModelName } from './modelName.ts';
import type { AdamBetas } from './optimizer.ts';

// defined apart, without the models and tfjs, for the CLI's options
export { MODEL_NAMES, parseModelName, type ModelName } from './modelName.ts';

/**
 * A new, untrained built-in model by name.
 *
 * @param options Passed on to the model: Adam's initial learning rate and decay rates (`beta1`,
 *   `beta2`), the initialisers' seed, and the data set's `format`, which sizes the model's input and
 *   output (default `MNIST_FORMAT`).
 *
 * @example
 * const model = createModel('cnn', { seed: 1 });
 * const forData = createModel('mlp', { format: dataset.format });
 */
export function createModel(name: ModelName, options: { learningRate?: number; seed?: number; format?: ImageFormat } & AdamBetas = {}): DigitModel {
  const { learningRate, beta1, beta2, seed, format } = options;
  return name === 'mlp' ? createMlp({ learningRate, beta1, beta2, seed, format }) : new Cnn({ learningRate, beta1, beta2, seed, format });
}
