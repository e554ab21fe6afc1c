import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { score } from '../../lib/io/submission.ts';
import { kaggleFiles } from '../../lib/io/kaggleDefault.ts';
import { tempDir } from '../helpers/files.ts';
import { browserForTests, expectHealthyReport, inspectReport } from './browser.ts';

const root = join(import.meta.dirname, '../..');
const CLI = join(root, 'dist/pipelines/digits.js');

/** `digits run --quick` on the embedded default (made in data/ on first use), into a fresh out dir. */
describe('digits run --quick', () => {
  let out: string;
  let stdout: string;

  beforeAll(async () => {
    out = join(await tempDir(), 'out');
    const result = await promisify(execFile)(process.execPath, [CLI, 'run', '--quick', '--out', out], { cwd: root, maxBuffer: 64 << 20 });
    stdout = result.stdout;
  }, 600_000);

  it('writes every output, with no temporary file left', async () => {
    const names = await readdir(out);
    for (const name of ['submission-mlp.csv', 'submission-cnn.csv', 'metrics.json', 'metrics-mlp.json', 'metrics-cnn.json', 'model-mlp', 'model-cnn', 'report.html', 'report-data.json', 'charts']) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    for (const model of ['model-mlp', 'model-cnn']) {
      expect((await readdir(join(out, model))).sort()).toEqual(['model.json', 'weights.bin']);
    }
  });

  it('writes submissions that score against the held-out answers, above chance', async () => {
    for (const model of ['mlp', 'cnn']) {
      const result = await score(join(out, `submission-${model}.csv`), kaggleFiles(join(root, 'data')).testLabels);
      expect(result.total).toBe(28_000);
      expect(result.accuracy).toBeGreaterThan(0.5);
    }
  });

  it('writes metrics.json with both models and their held-out accuracy, as the summary says', async () => {
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.quick).toBe(true);
    expect(metrics.data.heldOutAnswers).toBe(true);
    expect(metrics.models.map((m: { model: string }) => m.model)).toEqual(['mlp', 'cnn']);
    for (const m of metrics.models) {
      expect(m.test.count).toBe(28_000);
      expect(m.valid.confusion).toHaveLength(10);
      expect(stdout).toContain(`${m.model}: validation accuracy ${(100 * m.valid.accuracy).toFixed(2)}%, held-out test accuracy ${(100 * m.test.accuracy).toFixed(2)}%`);
    }
  });

  it('writes a report page with its charts', async () => {
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect((await stat(join(out, 'report.html'))).size).toBeGreaterThan(10_000);
    const specs = (await readdir(join(out, 'charts'))).filter((n) => n.endsWith('.vl.json')).map((n) => n.replace('.vl.json', ''));
    expect(specs.length).toBeGreaterThan(8);
  });

  it.skipIf(!browserForTests())('opens the report in a real headless Chromium, every chart drawn', async () => {
    const inspection = await inspectReport(join(out, 'report.html'), join(root, 'out', 'report-run-quick.png'));
    const names = inspection.charts.map((c) => c.name);
    expect(names.length).toBeGreaterThan(8);
    expectHealthyReport(inspection, names as string[]);
  });
});

/** With the user's own Kaggle files there are no answers: metrics and report fall back to validation. */
describe('digits run --quick --train F --test F (no held-out answers)', () => {
  it('scores on validation only, and draws the validation mistakes from the training file', async () => {
    const out = join(await tempDir(), 'out');
    const data = kaggleFiles(join(root, 'data'));
    const args = [CLI, 'run', '--quick', '--models', 'mlp', '--train', data.train, '--test', data.test, '--out', out];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, maxBuffer: 64 << 20 });
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.data.heldOutAnswers).toBe(false);
    expect(metrics.models).toHaveLength(1);
    expect(metrics.models[0].test).toBeUndefined();
    expect(stdout).toMatch(/mlp: validation accuracy \d+\.\d\d%\n/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/validation/i);
    expect(html).toContain('data-chart="misclassified-1"');
  }, 300_000);
});
