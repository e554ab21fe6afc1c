import { UserError } from '../errors.ts';

// Without the models and tfjs: `digits --help` and the CLI's option checks load this module alone.

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
