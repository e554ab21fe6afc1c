import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { digitHeader } from '../lib/io/digits.ts';
import { randomRecords } from './data/fixtures.ts';

/** README.md marks its pipeline example with this comment; the ```ts block after it is what runs. */
const MARKER = '<!-- example: pipeline -->';
const root = resolve(import.meta.dirname, '..');

function readmeExample(): string | undefined {
  const readme = join(root, 'README.md');
  if (!existsSync(readme)) return undefined;
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  return /```ts\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
}

describe('README pipeline example', () => {
  it('runs: readDigits -> normalize -> splitTrainValid -> toDataset -> batches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'readme-example-'));
    try {
      const rows = randomRecords(150, 31).map((r) => [r.label, ...r.pixels].join(','));
      await mkdir(join(dir, 'data'));
      // So that the example's other imports (rxjs) resolve as in a user's project.
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      await writeFile(join(dir, 'data', 'train.csv'), [digitHeader(true).join(','), ...rows, ''].join('\n'));
      // The example imports the package by name; here it is this working tree.
      const example = readmeExample();
      expect(example, 'README.md has no example after the marker').toBeDefined();
      const code = example!.replace(
        /from 'digit-flow'/g,
        `from '${pathToFileURL(join(root, 'lib/index.ts')).href}'`,
      );
      await writeFile(join(dir, 'example.mts'), code);
      const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, 'example.mts'], { cwd: dir });
      const [, train, valid] = /train (\d+), valid (\d+)/.exec(stdout) ?? [];
      expect(Number(train) + Number(valid)).toBe(150);
      expect(Math.abs(Number(valid) - 30)).toBeLessThan(10);
      expect(stdout).toContain(`epoch 0: ${train} images`);
      expect(stdout).toContain(`epoch 1: ${train} images`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
