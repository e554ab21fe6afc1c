import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
async function selectInChild(options: object): Promise<BackendInfo & { active: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], { timeout: 60_000 });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result from select-and-exit:\n${stdout}`);
  return JSON.parse(line) as BackendInfo & { active: string };
}

describe('parseBackendChoice', () => {
  it('accepts the four choices', () => {
    for (const choice of ['auto', 'tensorflow', 'wasm', 'cpu']) expect(parseBackendChoice(choice)).toBe(choice);
  });

  it('rejects anything else with a one-line error naming --backend', () => {
    expect(() => parseBackendChoice('gpu')).toThrow("--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'");
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

  it.skipIf(tfjsNodeInstalled())(
    'picks wasm on all cores by default when tfjs-node is missing, and says so; the process then exits',
    async () => {
      const info = await selectInChild({});
      expect(info.name).toBe('wasm');
      expect(info.active).toBe('wasm');
      expect(info.threads).toBe(Math.min(availableParallelism(), 8));
      expect(info.reason).toBe('wasm (auto: @tensorflow/tfjs-node not installed)');
      expect(info.trainingKernels).toContain('Conv2DBackpropFilter');
    },
    60_000,
  );

  it('runs the shipped wasm kernels when trainingKernels is false', async () => {
    const info = await selectInChild({ backend: 'wasm', threads: 1, trainingKernels: false });
    expect(info).toMatchObject({ name: 'wasm', threads: 1, trainingKernels: [], reason: 'wasm (requested)' });
  }, 60_000);
});
