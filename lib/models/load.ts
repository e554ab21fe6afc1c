import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { loadCnn } from './cnn.ts';
import { readModelJson } from './fileHandler.ts';
import { loadLayersModel } from './layersModel.ts';
import { loadMlp } from './mlp.ts';
import type { DigitModel } from './model.ts';

/** Restores a saved model from its directory. */
export type ModelLoader = (dir: string) => Promise<DigitModel>;

const loaders = new Map<string, ModelLoader>([
  ['mlp', loadMlp],
  ['cnn', loadCnn],
  ['layers', loadLayersModel],
]);

/**
 * Lets `loadModel` restore a model kind of your own: save it with `userDefinedMetadata.kind` set to
 * `kind` in model.json (see `fileSystemHandler`).
 */
export function registerModelLoader(kind: string, loader: ModelLoader): void {
  loaders.set(kind, loader);
}

/**
 * Loads any saved digit model (model.json + weights.bin in `dir`), dispatching on the `kind` its
 * model.json records. The built-in kinds come back with the `format` they were saved with; a model
 * saved before formats were recorded is an MNIST one (`MNIST_FORMAT`).
 *
 * @example
 * const model = await loadModel('out/model-cnn');
 */
export async function loadModel(dir: string): Promise<DigitModel> {
  const json = await readModelJson(dir);
  const kind = (json.userDefinedMetadata as { kind?: unknown } | undefined)?.kind;
  const loader = typeof kind === 'string' ? loaders.get(kind) : undefined;
  if (!loader) {
    throw new UserError(
      `${join(dir, 'model.json')}: unknown model kind ${JSON.stringify(kind)} (known: ${[...loaders.keys()].join(', ')})`,
    );
  }
  return loader(dir);
}
