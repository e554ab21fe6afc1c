import type { TopLevelSpec } from 'vega-lite';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { DigitDataset } from '../../lib/data/dataset.ts';
import type { Report } from '../../lib/render/report.ts';
import { asEnsemble, barDigits, syntheticMetrics, withRecipe } from '../reports/syntheticMetrics.ts';

/** What {@link smallProject} makes. */
export interface SmallProjectOptions {
  /** Whether the test set is labelled (default true). */
  testAnswers?: boolean;
  /** 1 or 2 models (default 2). */
  models?: number;
  /** Record recipes and seeds, as the trainer does since issue 16 (default false: an older file's metrics). */
  recipes?: boolean;
  /** Make the second model (cnn) an ensemble of 3 members; implies `recipes` (default false). */
  ensemble?: boolean;
}

/** A labelled train set, a test set (with or without answers) and two models' metrics on them. */
export function smallProject(options: SmallProjectOptions = {}) {
  const train = barDigits(200, 1);
  const labelledTest = barDigits(120, 2);
  const test = options.testAnswers === false ? new DigitDataset(labelledTest.pixels, labelledTest.ids) : labelledTest;
  const valid = train.subset(Int32Array.from({ length: 50 }, (_, i) => i));
  const recipes = options.recipes || options.ensemble;
  const mlp = syntheticMetrics({ model: 'mlp', errorRate: 0.2, seed: 1 }, valid, test);
  const cnn = syntheticMetrics({ model: 'cnn', errorRate: 0.1, seed: 2 }, valid, test);
  const models = [
    recipes ? withRecipe(mlp, 20742) : mlp,
    options.ensemble ? asEnsemble(cnn, 3, 20742) : recipes ? withRecipe(cnn, 20742) : cnn,
  ].slice(0, options.models ?? 2);
  return { train, test, valid, models };
}

/** The full report of a small project: every kind of chart the reports produce. */
export function smallReport(options: SmallProjectOptions = {}): Report {
  const { train, test, models } = smallProject(options);
  return buildFullReport({
    eda: edaData(train, { rows: 2 }),
    comparison: comparisonData(models, { test, valid: train, limit: 12 }),
  });
}

export function specsOf(report: Report): Array<{ name: string; spec: TopLevelSpec }> {
  return report.sections.flatMap((s) => s.charts.map((c) => ({ name: c.name, spec: c.spec })));
}
