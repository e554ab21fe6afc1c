import type { ImageDataset } from '../lib/data/dataset.ts';
import type { ImageFormat } from '../lib/data/format.ts';
import { readDataset } from '../lib/jobs/inputs.ts';
import { silentReporter } from '../lib/jobs/reporter.ts';
import { createOutDir } from '../lib/io/outDir.ts';
import { writeReport, type WrittenReport } from '../lib/render/writeReport.ts';
import type { ModelMetrics } from '../lib/types.ts';
import { buildComparisonReport } from './comparison.ts';
import { comparisonData } from './comparisonData.ts';
import { buildEdaReport, edaData, type EdaOptions } from './eda.ts';
import { buildFullReport } from './full.ts';
import { saveReportData } from './reportData.ts';

/**
 * The EDA page alone (what `digits eda` writes): `dir/eda.html`, with each chart's Vega-Lite spec and
 * SVG in `dir/charts/`. The data is a labelled dataset, whose format sizes and names the charts, or
 * the path of a labelled Kaggle CSV.
 *
 * @example
 * const { html } = await writeEdaReport('out/eda', 'data/train.csv', { rows: 5 });
 */
export async function writeEdaReport(dir: string, train: ImageDataset | string, options: EdaOptions): Promise<WrittenReport> {
  const dataset = typeof train === 'string' ? await readDataset(train, silentReporter(), 'labelled') : train;
  await createOutDir(dir);
  return writeReport(dir, buildEdaReport(edaData(dataset, options)), { htmlName: 'eda.html' });
}

/** What a comparison report is made of: any models' metrics and the images their mistakes refer to. */
export interface ComparisonReportInput {
  /** One entry per model, as `trainModel` emits it in its `result` event (a user's own model included). */
  models: readonly ModelMetrics[];
  /** The test images in the order of the models' `testPredictions` (labelled when answers are known). */
  test?: ImageDataset;
  /** The images the validation ids refer to (needed when the test answers are unknown). */
  valid?: ImageDataset;
  /** Size, colour and classes of the images (default: `valid.format`, else `test.format`). */
  format?: ImageFormat;
}

/**
 * The model comparison page alone: `dir/report.html` (comparison table, training curves, confusion
 * matrices, per-class scores, each model's most confident mistakes, where the first two disagree).
 *
 * @example
 * const metrics = [mlpResult.metrics, myModelResult.metrics];
 * const { html } = await writeComparisonReport('out/compare', { models: metrics, valid: data.valid });
 */
export async function writeComparisonReport(dir: string, input: ComparisonReportInput): Promise<WrittenReport> {
  const report = buildComparisonReport(comparisonData(input.models, { test: input.test, valid: input.valid, format: input.format }));
  await createOutDir(dir);
  return writeReport(dir, report);
}

/** What the main job's report is made of. */
export interface FullReportInput {
  /** The labelled training data (EDA, and the images the validation ids refer to). */
  train: ImageDataset;
  /** The test images in the order of the models' testPredictions (labelled when answers are known). */
  test?: ImageDataset;
  /** Size, colour and classes of the data, which name the report's classes (default: `train.format`). */
  format?: ImageFormat;
  /** One entry per model; the comparison part is left out when empty. */
  models: readonly ModelMetrics[];
  /** Rows of sample images in the EDA part. */
  rows: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

/**
 * The main job's report: saves `DIR/report-data.json` (what `digits report --from DIR` rebuilds
 * from) and writes `DIR/report.html` with `DIR/charts/`.
 *
 * @example
 * await writeFullReport('out', { train, test, models: [mlpMetrics, cnnMetrics], rows: 5 });
 */
export async function writeFullReport(dir: string, input: FullReportInput): Promise<WrittenReport> {
  await createOutDir(dir);
  const train = input.format ? input.train.withFormat(input.format) : input.train;
  const data = {
    eda: edaData(train, { rows: input.rows, seed: input.seed }),
    comparison: input.models.length ? comparisonData(input.models, { test: input.test, valid: train }) : undefined,
  };
  await saveReportData(dir, data);
  return writeReport(dir, buildFullReport(data));
}
