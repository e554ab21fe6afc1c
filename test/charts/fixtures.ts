import type { TopLevelSpec } from 'vega-lite';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { DigitDataset } from '../../lib/data/dataset.ts';
import type { Report } from '../../lib/render/report.ts';
import { barDigits, syntheticMetrics } from '../reports/syntheticMetrics.ts';

/** A labelled train set, a test set (with or without answers) and two models' metrics on them. */
export function smallProject(options: { testAnswers?: boolean; models?: number } = {}) {
  const train = barDigits(200, 1);
  const labelledTest = barDigits(120, 2);
  const test = options.testAnswers === false ? new DigitDataset(labelledTest.pixels, labelledTest.ids) : labelledTest;
  const valid = train.subset(Int32Array.from({ length: 50 }, (_, i) => i));
  const models = [
    syntheticMetrics({ model: 'mlp', errorRate: 0.2, seed: 1 }, valid, test),
    syntheticMetrics({ model: 'cnn', errorRate: 0.1, seed: 2 }, valid, test),
  ].slice(0, options.models ?? 2);
  return { train, test, valid, models };
}

/** The full report of a small project: every kind of chart the reports produce. */
export function smallReport(options: { testAnswers?: boolean; models?: number } = {}): Report {
  const { train, test, models } = smallProject(options);
  return buildFullReport({
    eda: edaData(train, { rows: 2 }),
    comparison: comparisonData(models, { test, valid: train, limit: 12 }),
  });
}

export function specsOf(report: Report): Array<{ name: string; spec: TopLevelSpec }> {
  return report.sections.flatMap((s) => s.charts.map((c) => ({ name: c.name, spec: c.spec })));
}
