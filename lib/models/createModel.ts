import type { ImageFormat } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { Cnn, type CnnArchitecture } from './cnn.ts';
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
 *   output (default `MNIST_FORMAT`), and the CNN's `architecture` (the format's default when absent;
 *   the MLP takes none).
 *
 * @example
 * const model = createModel('cnn', { seed: 1 });
 * const forData = createModel('mlp', { format: dataset.format });
 * const deeper = createModel('cnn', { architecture: { channels: [32, 64], convsPerBlock: 2 } });
 */
export function createModel(
  name: ModelName,
  options: { learningRate?: number; seed?: number; format?: ImageFormat; architecture?: CnnArchitecture } & AdamBetas = {},
): DigitModel {
  const { learningRate, beta1, beta2, seed, format, architecture } = options;
  if (name === 'cnn') return new Cnn({ ...architecture, learningRate, beta1, beta2, seed, format });
  if (architecture) throw new UserError(`mlp: a recipe's architecture is for the cnn only, got ${JSON.stringify(architecture)}`);
  return createMlp({ learningRate, beta1, beta2, seed, format });
}
