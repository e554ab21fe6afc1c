import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writeEdaReport, writeFullReport } from '../../reports/writeReports.ts';
import { loadReportData } from '../../reports/reportData.ts';
import { smallProject } from '../charts/fixtures.ts';
import { tempDir } from '../helpers/files.ts';

describe('report jobs', () => {
  it('writeEdaReport writes eda.html and its charts, nothing else', async () => {
    const dir = await tempDir();
    const { train } = smallProject();
    const written = await writeEdaReport(dir, train, { rows: 2 });
    expect((await readdir(dir)).sort()).toEqual(['charts', 'eda.html']);
    expect(written.charts.map((c) => c.name)).toEqual(['label-distribution', 'sample-digits', 'mean-digits', 'digit-ink', 'pixel-variation']);
    expect(await readFile(written.html, 'utf8')).toContain('2 rows chosen at random');
  });

  it('writeFullReport saves what a rebuild needs and writes the combined page', async () => {
    const dir = await tempDir();
    const { train, test, models } = smallProject();
    const written = await writeFullReport(dir, { train, test, models, rows: 1 });
    expect((await readdir(dir)).sort()).toEqual(['charts', 'report-data.json', 'report.html']);
    const saved = await loadReportData(dir);
    expect(saved.comparison?.models.map((m) => m.model)).toEqual(['mlp', 'cnn']);
    expect(saved.eda?.sample.digits).toHaveLength(10);
    expect(written.charts.length).toBe(13);
  });
});
