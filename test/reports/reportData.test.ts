import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { REPORT_DATA_FILE, loadReportData, rebuildReport, saveReportData } from '../../reports/reportData.ts';
import { smallProject } from '../charts/fixtures.ts';
import { tempDir } from '../helpers/files.ts';

async function savedProject(dir: string) {
  const { train, test, models } = smallProject();
  const data = { eda: edaData(train, { rows: 1 }), comparison: comparisonData(models, { test, valid: train, limit: 4 }) };
  await saveReportData(dir, data);
  return data;
}

describe('report data', () => {
  it('round-trips through report-data.json, written atomically', async () => {
    const dir = await tempDir();
    const data = await savedProject(dir);
    expect(await readdir(dir)).toEqual([REPORT_DATA_FILE]);
    expect(await loadReportData(dir)).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('rebuilds the whole report from the saved file alone', async () => {
    const dir = await tempDir();
    const data = await savedProject(dir);
    const written = await rebuildReport(dir);
    const html = await readFile(written.html, 'utf8');
    for (const name of ['label-distribution', 'sample-digits', 'comparison-table', 'misclassified-2', 'disagreement']) {
      expect(html).toContain(`data-chart="${name}"`);
    }
    expect(written.charts).toHaveLength(13);
    expect(html).toContain(`${data.comparison.models[1].model}`);
  });

  it('names the file and the first wrong field of a damaged file', async () => {
    const dir = await tempDir();
    await savedProject(dir);
    const path = join(dir, REPORT_DATA_FILE);
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.comparison.models[1].valid.confusion[2] = [1, 2];
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /comparison/models/1/valid/confusion/2 must NOT have fewer than 10 items`);
    await writeFile(path, '{"format": "digit-flow-report-data", "version": 1');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: not valid JSON`);
    await writeFile(path, '{"format": "digit-flow-report-data", "version": 1}');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: holds neither 'eda' nor 'comparison'`);
    await writeFile(path, '{"format": "something else", "version": 1}');
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /format must be equal to constant`);
  });

  it('says how to make the file when it is missing', async () => {
    const dir = await tempDir();
    await expect(loadReportData(dir)).rejects.toThrow(/report-data.json: not found \(run 'digits run --out .*' first\)/);
  });
});
