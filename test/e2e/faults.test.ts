/**
 * The CLI as a careless or hostile user meets it: Ctrl-C at any moment, a full disk, a closed pipe,
 * output paths in the way, binary and runaway input. Each case ends in one line on stderr, no stack
 * trace, and an out dir that holds one whole run (checked against its manifest).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunManifest, verifyRun } from '../../lib/io/runDir.ts';
import { digitHeader } from '../../lib/io/digits.ts';
import type { KaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { tempDir } from '../helpers/files.ts';
import { writeKaggleCsvs } from '../helpers/kaggleCsvs.ts';

const root = join(import.meta.dirname, '../..');
const CLI = join(root, 'dist/pipelines/digits.js');
const run = promisify(execFile);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in its own process group; `interruptAfterMs` sends SIGINT to the group, as a terminal's Ctrl-C does. */
function digits(args: string[], options: { interruptAfterMs?: number; closeStdoutAfterBytes?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (options.closeStdoutAfterBytes !== undefined && stdout.length >= options.closeStdoutAfterBytes) child.stdout.destroy();
    });
    if (options.closeStdoutAfterBytes === 0) child.stdout.destroy();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = options.interruptAfterMs === undefined ? undefined : setTimeout(() => process.kill(-child.pid!, 'SIGINT'), options.interruptAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
}

let data: KaggleFiles;
let dataDir: string;
beforeAll(async () => {
  dataDir = await tempDir();
  data = await writeKaggleCsvs(dataDir, 400, 100);
}, 60_000);

const quickRun = (out: string): string[] => ['run', '--quick', '--quiet', '--models', 'mlp', '--epochs', '1', '--rows', '1', '--train', data.train, '--test', data.test, '--out', out];

describe('Ctrl-C at a spread of moments through a run into a dir holding a previous run', () => {
  it('leaves either the previous run untouched or the new run complete, says which, and exits 130', async () => {
    const out = join(await tempDir(), 'out');
    const first = await digits(quickRun(out));
    expect(first.code, first.stderr).toBe(0);
    const previous = (await readRunManifest(out))!;
    const started = performance.now();
    const uninterrupted = await digits(quickRun(join(await tempDir(), 'timing')));
    const runMs = performance.now() - started;
    expect(uninterrupted.code).toBe(0);

    const outcomes: string[] = [];
    for (const share of [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95]) {
      const result = await digits(quickRun(out), { interruptAfterMs: Math.round(share * runMs) });
      const held = (await readRunManifest(out))!;
      expect((await verifyRun(out)).problems, `after Ctrl-C at ${share}`).toEqual([]);
      expect((await readdir(out)).filter((n) => n.startsWith('.digit-flow') || n.endsWith('.tmp'))).toEqual([]);
      if (result.code === 0) {
        // a run that beat its Ctrl-C is the dir's run now: later moments compare with it
        expect(held.runId).not.toBe(previous.runId);
        Object.assign(previous, held);
        outcomes.push('finished');
        continue;
      }
      if (result.signal === 'SIGINT' && result.stderr === '') {
        // Killed with no handler in place: so early that node had not started our code (nothing could
        // have been written), or so late that node had already put the default action back on its
        // way out, after the run was committed (a new run, whole, as verifyRun checked above).
        if (held.runId === previous.runId) {
          outcomes.push('before start');
        } else {
          expect(held.finished >= previous.finished).toBe(true);
          Object.assign(previous, held);
          outcomes.push('at exit');
        }
        continue;
      }
      expect(result.code, result.stderr).toBe(130);
      expectOneLine(result.stderr);
      if (held.runId === previous.runId) {
        expect(result.stderr).toMatch(new RegExp(`interrupted; no file is left half-written|interrupted: nothing of this run was kept; .* holds run ${held.runId}`));
        outcomes.push('previous');
      } else {
        expect(result.stderr).toMatch(new RegExp(`holds this run, run ${held.runId}`));
        outcomes.push('new');
      }
      // the run it held is the one every later check compares with
      Object.assign(previous, held);
    }
    // most moments fall inside the run
    expect(outcomes.filter((o) => o !== 'finished' && o !== 'at exit').length).toBeGreaterThanOrEqual(4);
  }, 300_000);
});

describe('output paths in the way', () => {
  it('eda --out a file: one line naming it, exit 1, before any work', async () => {
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, 'x');
    const result = await digits(['eda', '--train', data.train, '--out', file]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain(`output directory ${file} exists and is not a directory`);
  });

  it('a file where the model folder goes: train stops before training, the dir untouched', async () => {
    const out = await tempDir();
    await writeFile(join(out, 'model-mlp'), 'in the way');
    const result = await digits(['train', '--model', 'mlp', '--epochs', '1', '--train', data.train, '--test', data.test, '--out', out]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain(`${join(out, 'model-mlp')} exists and is not a directory`);
    expect(result.stdout).not.toMatch(/epoch/);
    expect(await readdir(out)).toEqual(['model-mlp']);
  });

  it('train into a dir holding a whole run keeps the other model, drops the stale summaries, and the manifest matches', async () => {
    const out = join(await tempDir(), 'out');
    const args = ['--quiet', '--epochs', '1', '--train', data.train, '--test', data.test, '--out', out];
    expect((await digits(['run', '--quick', '--rows', '1', ...args])).code).toBe(0);
    const before = (await readRunManifest(out))!;
    const cnnFiles = before.files.filter((f) => /(^|-)cnn/.test(f.path));
    expect(cnnFiles.length).toBeGreaterThan(2);
    const result = await digits(['train', '--model', 'mlp', ...args]);
    expect(result.code, result.stderr).toBe(0);
    const after = (await readRunManifest(out))!;
    expect((await verifyRun(out)).problems).toEqual([]);
    expect(after.files.filter((f) => /(^|-)cnn/.test(f.path))).toEqual(cnnFiles);
    expect(after.files.filter((f) => f.path.includes('mlp')).every((f) => f.run === after.runId)).toBe(true);
    expect(await readdir(out)).not.toContain('report.html');
    expect(await readdir(out)).not.toContain('metrics.json');
  }, 180_000);
});

describe('a closed stdout (EPIPE)', () => {
  it('check F | head -0: no output, no stack, exit 0', async () => {
    const result = await digits(['check', data.train], { closeStdoutAfterBytes: 0 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('train --json | head -1: quiet, exit 0, and the run is still written whole', async () => {
    const out = join(await tempDir(), 'out');
    const result = await digits(['train', '--model', 'mlp', '--epochs', '1', '--json', '--train', data.train, '--test', data.test, '--out', out], {
      closeStdoutAfterBytes: 1,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await verifyRun(out)).problems).toEqual([]);
  }, 120_000);
});

describe('runaway and binary input', () => {
  it('check /dev/zero stops at once with one line', async () => {
    const started = performance.now();
    const result = await digits(['check', '/dev/zero']);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toMatch(/\/dev\/zero:1: line is longer than 4 MiB/);
  });

  it('a binary header is quoted short, with control bytes escaped', async () => {
    const file = join(await tempDir(), 'binary.csv');
    await writeFile(file, Buffer.concat([Buffer.from('\x1b[31mlabel\x00'), Buffer.alloc(5000, 0x41), Buffer.from('\n1,2\n')]));
    const result = await digits(['check', file]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).not.toMatch(/[\x00\x1b]/);
    expect(result.stderr).toContain('\\x1b[31mlabel\\x00');
    expect(result.stderr.length).toBeLessThan(400);
  });

  it('a semicolon-separated file: the message says so, in one short line', async () => {
    const file = join(await tempDir(), 'semicolons.csv');
    await writeFile(file, `${digitHeader(true).join(';')}\n${['1', ...new Array(784).fill('0')].join(';')}\n`);
    const result = await digits(['check', file]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toMatch(/separated by ';'/);
    expect(result.stderr.length).toBeLessThan(400);
  });
});

describe('small things', () => {
  it('--on-invalid skip: the summary on stdout, the warning on stderr', async () => {
    const file = join(await tempDir(), 'one-bad.csv');
    const text = await readFile(data.train, 'utf8');
    const lines = text.split('\n');
    lines[3] = lines[3].replace(/,0,/, ',300,');
    await writeFile(file, lines.join('\n'));
    const result = await digits(['check', file, '--on-invalid', 'skip']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/warning/);
    expect(result.stdout).toMatch(/399 rows/);
    expect(result.stderr).toMatch(/^digits: warning: .*skipped 1 invalid row \(line 4\); first: .*pixel value 300 is outside 0–255/);
  });

  it('the same --seed rule in every command', async () => {
    for (const command of [['data'], ['train', '--model', 'mlp'], ['run'], ['eda']]) {
      const result = await digits([...command, '--seed', '-1', '--out', '/nonexistent/never']);
      expect(result.code, command[0]).toBe(1);
      expect(result.stderr).toMatch(/--seed must be an integer >= 0, got '-1'/);
    }
  });

  it('--backend cpu: no tfjs banner', async () => {
    const out = join(await tempDir(), 'out');
    const result = await digits(['train', '--model', 'mlp', '--epochs', '1', '--batch-size', '100', '--backend', 'cpu', '--train', data.train, '--test', data.test, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
  }, 120_000);
});

describe('a full disk under the CLI', async () => {
  const disk = await tempDir();
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', disk], { stdio: 'ignore' });
    mounted = true;
  } catch {
    process.stderr.write('full-disk CLI test skipped: cannot mount a tmpfs here (it needs root on Linux)\n');
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [disk]);
  });

  it.skipIf(!mounted)('train fails with ENOSPC in one line naming the output, the previous run whole', async () => {
    const out = join(disk, 'out');
    const args = ['train', '--model', 'mlp', '--epochs', '1', '--quiet', '--train', data.train, '--test', data.test, '--out', out];
    // the MLP's saved weights take 2.1 MB: one run fits in 3 MB, a second one beside it does not
    const first = await digits(args);
    expect(first.code, first.stderr).toBe(0);
    const before = (await readRunManifest(out))!;
    const result = await digits(args);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toMatch(/no space left on the device/);
    expect(result.stderr).not.toMatch(/staging|\.tmp/);
    expect(result.stderr).toContain(out);
    expect((await readRunManifest(out))!.runId).toBe(before.runId);
    expect((await verifyRun(out)).problems).toEqual([]);
    expect((await readdir(out)).filter((n) => n.startsWith('.digit-flow'))).toEqual([]);
  }, 120_000);
});

describe('digits verify', () => {
  it('OK for a whole run, one line per problem and exit 1 for a changed one', async () => {
    const out = join(await tempDir(), 'out');
    expect((await digits(['train', '--model', 'mlp', '--epochs', '1', '--quiet', '--train', data.train, '--test', data.test, '--out', out])).code).toBe(0);
    const ok = await run(process.execPath, [CLI, 'verify', out]);
    expect(ok.stdout).toMatch(/OK, run .* files match the manifest/);
    await writeFile(join(out, 'submission-mlp.csv'), 'ImageId,Label\n1,0\n');
    const bad = await digits(['verify', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/submission-mlp\.csv: \d+ bytes, the manifest says \d+/);
  }, 120_000);
});
