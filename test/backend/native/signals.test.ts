import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeNative } from './nativeTest.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./scripts/profiled-kernels.ts', import.meta.url));

describeNative('native kernels and signals', () => {
  // oneDNN's JIT kernels are not safe to interrupt: before the addon held signals during a kernel,
  // this run corrupted the heap every time ("corrupted size vs. prev_size", exit 134).
  it('survive a signal-driven profiler (node --cpu-prof) interrupting them', async () => {
    const profiles = await mkdtemp(join(tmpdir(), 'digit-flow-cpuprof-'));
    try {
      const { stdout } = await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, '--import', 'tsx', script], { timeout: 60_000 });
      expect(stdout.trim()).toBe('done true');
    } finally {
      await rm(profiles, { recursive: true, force: true });
    }
  }, 60_000);
});
