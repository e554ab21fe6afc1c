/**
 * native/install.mjs, the `npm install` step that builds the native backend, on a copy of the package's
 * build files: a machine without a compiler, without Node's headers, with a broken oneDNN, or with
 * the build turned off still installs (exit 0), and says why in exactly one line.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'digit-flow-install-'));
  await writeFile(join(copy, 'package.json'), JSON.stringify({ name: 'digit-flow', type: 'module' }));
  for (const path of ['binding.gyp', 'native/install.mjs', 'native/src/backend']) await cp(join(root, path), join(copy, path), { recursive: true });
});

afterAll(() => rm(copy, { recursive: true, force: true }));

/** Runs the install step in the copy; it must exit 0 whatever happens. */
async function install(env: NodeJS.ProcessEnv): Promise<{ lines: string[]; log: string }> {
  const { stdout, stderr } = await run(process.execPath, [join(copy, 'native/install.mjs')], {
    cwd: copy,
    env: { ...process.env, DIGIT_FLOW_NATIVE: '', ...env },
    timeout: 120_000,
  });
  expect(stderr).toBe('');
  return { lines: stdout.trim().split('\n'), log: await readFile(join(copy, 'build/native-install.log'), 'utf8') };
}

const fallback = (reason: string): string => `digit-flow: native backend not built (${reason}); the wasm backend will be used`;

describe('native/install.mjs', () => {
  it('says in one line that there is no C++ compiler, and exits 0', async () => {
    const { lines, log } = await install({ CXX: '/nonexistent/c++' });
    expect(lines).toEqual([fallback('no C++ compiler (/nonexistent/c++); on Debian: apt-get install g++')]);
    expect(log.split('\n')[0]).toBe('reason: no C++ compiler (/nonexistent/c++); on Debian: apt-get install g++');
  });

  it("never downloads Node's headers: without them it says where it looked", async () => {
    const { lines } = await install({ npm_config_nodedir: '/nonexistent/node' });
    expect(lines).toEqual([fallback("Node's headers not found under /nonexistent/node/include/node; set npm_config_nodedir to Node's install prefix")]);
  });

  it('skips the build when DIGIT_FLOW_NATIVE=0', async () => {
    const { lines } = await install({ DIGIT_FLOW_NATIVE: '0' });
    expect(lines).toEqual([fallback('turned off by DIGIT_FLOW_NATIVE=0')]);
  });

  it('turns a failed compilation into one line, keeps the compiler output in the log, and leaves no stale addon', async () => {
    // An addon from an earlier build must not survive a failed one.
    await mkdir(join(copy, 'build/Release'), { recursive: true });
    await writeFile(join(copy, 'build/Release/digit_flow_native.node'), 'stale');
    // A oneDNN header that does not compile, found before the system's through CPATH.
    const broken = join(copy, 'broken-include');
    await mkdir(join(broken, 'oneapi/dnnl'), { recursive: true });
    await writeFile(join(broken, 'oneapi/dnnl/dnnl.hpp'), '#error this oneDNN is broken\n');
    await writeFile(join(broken, 'oneapi/dnnl/dnnl.h'), '#error this oneDNN is broken\n');
    const { lines, log } = await install({ CPATH: broken });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^digit-flow: native backend not built \(compilation failed: .*this oneDNN is broken.*; details in build\/native-install\.log\); the wasm backend will be used$/);
    expect(log).toMatch(/this oneDNN is broken/);
    expect(existsSync(join(copy, 'build/Release/digit_flow_native.node'))).toBe(false);
  }, 120_000);
});
