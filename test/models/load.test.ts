import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.ts';
import { Cnn } from '../../lib/models/cnn.ts';
import { loadModel, registerModelLoader } from '../../lib/models/load.ts';
import { useTestBackend } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'load-model-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeModelJson(name: string, json: unknown): Promise<string> {
  const target = join(dir, name);
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return target;
}

describe('loadModel', () => {
  it('names the file when there is no saved model, or it is not JSON, or lacks fields', async () => {
    await expect(loadModel(join(dir, 'absent'))).rejects.toThrow(/absent\/model\.json: no saved model here/);
    await expect(loadModel(await writeModelJson('broken', '{"modelTopology":'))).rejects.toThrow(/broken\/model\.json: not valid JSON/);
    await expect(loadModel(await writeModelJson('partial', { modelTopology: {} }))).rejects.toThrow(
      /partial\/model\.json: missing field modelTopology or weightsManifest/,
    );
  });

  it('refuses an unknown kind, listing the known ones, and dispatches to a registered loader', async () => {
    const json = { modelTopology: {}, weightsManifest: [], userDefinedMetadata: { kind: 'mine' } };
    const target = await writeModelJson('mine', json);
    await expect(loadModel(target)).rejects.toThrow(UserError);
    await expect(loadModel(target)).rejects.toThrow(/unknown model kind "mine" \(known: mlp, cnn, layers\)/);
    const mine = new Cnn({ channels: [2], hidden: 4 });
    registerModelLoader('mine', async (from) => (from === target ? mine : Promise.reject(new Error(from))));
    expect(await loadModel(target)).toBe(mine);
    mine.dispose();
  });
});
