import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory, writeFileAtomic } from '../io/atomic.ts';
import { UserError } from '../errors.ts';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** An IOHandler whose save and load are both present. */
export interface FileSystemHandler extends tf.io.IOHandler {
  save: tf.io.SaveHandler;
  load: tf.io.LoadHandler;
}

/**
 * A tfjs IOHandler that saves and loads the standard tfjs format — `model.json` (topology + weights
 * manifest) and one `weights.bin` — in a local directory with node:fs, because tfjs's own `file://`
 * handler only exists in tfjs-node. Both files are written under temporary names and renamed.
 *
 * @example
 * await layersModel.save(fileSystemHandler('out/model-mlp'));
 * const model = await tf.loadLayersModel(fileSystemHandler('out/model-mlp'));
 */
export function fileSystemHandler(dir: string): FileSystemHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await makeDirectory(dir);
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      // Weights first: a model.json never points at weights that are not there yet.
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = await readModelJson(dir);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(
          manifest.flatMap((group) => group.paths).map(async (path) => {
            const bytes = await readFile(join(dir, path));
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          }),
        );
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Reads and checks `DIR/model.json`; a missing or malformed file is a one-line UserError. */
export async function readModelJson(dir: string): Promise<tf.io.ModelJSON> {
  const path = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`${path}: no saved model here (model.json not found)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('modelTopology' in parsed) || !('weightsManifest' in parsed)) {
    throw new UserError(`${path}: missing field modelTopology or weightsManifest`);
  }
  return parsed as tf.io.ModelJSON;
}
