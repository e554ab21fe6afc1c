import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.ts';
import { findChromium } from './browser.ts';

async function fakeBrowser(name: string): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
  return { dir, path };
}

describe('findChromium', () => {
  it('takes CHROME_PATH first', async () => {
    const { path } = await fakeBrowser('my-chrome');
    const other = await fakeBrowser('chromium');
    expect(findChromium({ CHROME_PATH: path, PATH: other.dir })).toBe(path);
  });

  it('fails when CHROME_PATH names no executable, rather than testing another browser', async () => {
    const dir = await tempDir();
    expect(() => findChromium({ CHROME_PATH: join(dir, 'missing'), PATH: '' })).toThrow(/CHROME_PATH=.*missing is not an executable/);
  });

  it('finds chromium, chromium-browser or google-chrome on PATH, in that order', async () => {
    const chrome = await fakeBrowser('google-chrome');
    const browser = await fakeBrowser('chromium-browser');
    expect(findChromium({ PATH: [chrome.dir, browser.dir].join(':') })).toBe(browser.path);
    expect(findChromium({ PATH: chrome.dir })).toBe(chrome.path);
  });

  it('skips a file on PATH that is not executable', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'chromium'), '');
    const found = findChromium({ PATH: dir });
    expect(found).not.toBe(join(dir, 'chromium'));
  });
});
