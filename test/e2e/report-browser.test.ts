import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../lib/render/writeReport.ts';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { smallProject } from '../charts/fixtures.ts';
import { tempDir } from '../helpers/files.ts';
import { browserForTests, expectHealthyReport, inspectReport } from './browser.ts';

const SCREENSHOT = resolve('out', 'report-e2e.png');

describe('the report in a real headless Chromium', () => {
  it.skipIf(!browserForTests())('opens from file:// offline, without errors or requests, every chart drawn as a non-empty SVG', async () => {
    const { train, test, models } = smallProject();
    const report = buildFullReport({ eda: edaData(train, { rows: 3 }), comparison: comparisonData(models, { test, valid: train, limit: 20 }) });
    const written = await writeReport(await tempDir(), report);
    const inspection = await inspectReport(written.html, SCREENSHOT);
    expectHealthyReport(inspection, written.charts.map((c) => c.name));
  });
});
