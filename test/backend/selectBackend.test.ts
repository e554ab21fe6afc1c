import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../lib/backend/native/addon.ts';
import { parseBackendChoice, selectBackend, type BackendInfo } from '../../lib/backend/selectBackend.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./select-and-exit.ts', import.meta.url));

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** selectBackend in a fresh process (each backend initialises once per process); the process must end. */
async function selectInChild(options: object, env: NodeJS.ProcessEnv = {}): Promise<BackendInfo & { active: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result from select-and-exit:\n${stdout}`);
  return JSON.parse(line) as BackendInfo & { active: string };
}

/** Whether this machine built the addon; CI (REQUIRE_NATIVE=1) must have. */
const nativeBuilt = 'addon' in loadNativeAddon() || process.env.REQUIRE_NATIVE === '1';

describe('parseBackendChoice', () => {
  it('accepts the five choices', () => {
    for (const choice of ['auto', 'tensorflow', 'native', 'wasm', 'cpu']) expect(parseBackendChoice(choice)).toBe(choice);
  });

  it('rejects anything else with a one-line error naming --backend', () => {
    expect(() => parseBackendChoice('gpu')).toThrow("--backend must be one of auto, tensorflow, native, wasm, cpu, got 'gpu'");
  });
});

describe('selectBackend', () => {
  it('rejects a bad thread count, naming the option', async () => {
    await expect(selectBackend({ backend: 'wasm', threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 8, got 0/);
    await expect(selectBackend({ backend: 'wasm', threads: 9 })).rejects.toThrow(/threads must be an integer from 1 to 8, got 9/);
  });

  it.skipIf(tfjsNodeInstalled())("says why 'tensorflow' cannot run when tfjs-node is missing", async () => {
    await expect(selectBackend({ backend: 'tensorflow' })).rejects.toThrow(
      "backend 'tensorflow' unavailable: @tensorflow/tfjs-node not installed",
    );
  });

  it('runs cpu when asked, with no training kernels', async () => {
    const info = await selectInChild({ backend: 'cpu' });
    expect(info).toMatchObject({ name: 'cpu', active: 'cpu', threads: 1, trainingKernels: [] });
  }, 60_000);

  it.skipIf(tfjsNodeInstalled() || !nativeBuilt)(
    'picks native on all cores by default when tfjs-node is missing and the addon is built, and says so; the process then exits',
    async () => {
      const info = await selectInChild({});
      expect(info).toMatchObject({ name: 'native', active: 'native', threads: availableParallelism() });
      expect(info.reason).toBe('native (auto: @tensorflow/tfjs-node not installed)');
      expect(info.trainingKernels).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'MaxPoolGrad']));
    },
    60_000,
  );

  it.skipIf(!nativeBuilt)('runs native on the threads asked for', async () => {
    const info = await selectInChild({ backend: 'native', threads: 1 });
    expect(info).toMatchObject({ name: 'native', active: 'native', threads: 1, reason: 'native (requested)' });
  }, 60_000);

  it("says in one line why 'native' cannot run", async () => {
    await expect(selectInChild({ backend: 'native' }, { DIGIT_FLOW_NATIVE: '0' })).rejects.toThrow(
      "backend 'native' unavailable: turned off by DIGIT_FLOW_NATIVE=0",
    );
  }, 60_000);

  it.skipIf(tfjsNodeInstalled())(
    'picks wasm on all cores (at most 8) when neither tfjs-node nor the native addon can run, and says why; the process then exits',
    async () => {
      const info = await selectInChild({}, { DIGIT_FLOW_NATIVE: '0' });
      expect(info.name).toBe('wasm');
      expect(info.active).toBe('wasm');
      expect(info.threads).toBe(Math.min(availableParallelism(), 8));
      expect(info.reason).toBe('wasm (auto: @tensorflow/tfjs-node not installed; turned off by DIGIT_FLOW_NATIVE=0)');
      expect(info.trainingKernels).toContain('Conv2DBackpropFilter');
    },
    60_000,
  );

  it('runs the shipped wasm kernels when trainingKernels is false', async () => {
    const info = await selectInChild({ backend: 'wasm', threads: 1, trainingKernels: false });
    expect(info).toMatchObject({ name: 'wasm', threads: 1, trainingKernels: [], reason: 'wasm (requested)' });
  }, 60_000);
});
