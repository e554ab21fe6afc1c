import type { ImageFormat } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { Cnn } from './cnn.ts';
import { createMlp } from './mlp.ts';
import type { DigitModel } from './model.ts';
import type { AdamBetas } from './optimizer.ts';

/** Names of the built-in models, as accepted by {@link createModel} and `--model`. */
export const MODEL_NAMES = ['mlp', 'cnn'] as const;
/** A built-in model: 'mlp' (multilayer perceptron, flat input) or 'cnn' (convolutional network). */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Checks a `--model` value; the error names the option and the accepted values. */
export function parseModelName(value: string): ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(value)) {
    throw new UserError(`--model must be one of ${MODEL_NAMES.join(', ')}, got '${value}'`);
  }
  return value as ModelName;
}

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
