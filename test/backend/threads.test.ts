import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./train-subset.ts', import.meta.url));

interface SubsetResult {
  threads: number;
  accuracy: number;
  losses: number[];
}

/** Trains in a child process: a wasm module's thread count is fixed once it has loaded. */
async function trainSubset(threads: number, network: 'mlp' | 'cnn'): Promise<SubsetResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, JSON.stringify({ threads, network })], {
    timeout: 120_000,
  });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`train-subset printed no result:\n${stdout}`);
  return JSON.parse(line) as SubsetResult;
}

const cores = Math.min(availableParallelism(), 8);

describe.skipIf(cores < 2)('wasm on all cores (threaded XNNPACK)', () => {
  it.each(['mlp', 'cnn'] as const)(
    'trains the %s on real digits to the accuracy one core reaches',
    async (network) => {
      const one = await trainSubset(1, network);
      const all = await trainSubset(cores, network);
      expect(one.threads).toBe(1);
      expect(all.threads).toBe(cores);
      expect(one.accuracy).toBeGreaterThan(0.8); // it learned: chance is 0.1
      expect(Math.abs(all.accuracy - one.accuracy)).toBeLessThanOrEqual(0.01);
      // Same seeded start, same batches: the loss curves agree step by step.
      expect(all.losses.length).toBe(one.losses.length);
      all.losses.forEach((loss, i) => expect(loss).toBeCloseTo(one.losses[i], 3));
    },
    240_000,
  );
});
