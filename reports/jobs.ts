import type { DigitDataset } from '../lib/data/dataset.ts';
import { createOutDir } from '../lib/io/outDir.ts';
import { writeReport, type WrittenReport } from '../lib/render/writeReport.ts';
import type { ModelMetrics } from '../lib/types.ts';
import { comparisonData } from './comparisonData.ts';
import { buildEdaReport, edaData, type EdaOptions } from './eda.ts';
import { buildFullReport } from './full.ts';
import { saveReportData } from './reportData.ts';

/**
 * `digits eda [--rows N] --out DIR`: the EDA page alone, `DIR/eda.html` with its charts' specs and
 * SVGs in `DIR/charts/`.
 *
 * @example
 * const { html } = await writeEdaReport('out/eda', train, { rows: 5 });
 */
export async function writeEdaReport(dir: string, train: DigitDataset, options: EdaOptions): Promise<WrittenReport> {
  return writeReport(dir, buildEdaReport(edaData(train, options)), { htmlName: 'eda.html' });
}

export interface FullReportInput {
  /** The labelled training data (EDA, and the images the validation ids refer to). */
  train: DigitDataset;
  /** The test images in the order of the models' testPredictions (labelled when answers are known). */
  test?: DigitDataset;
  models: readonly ModelMetrics[];
  /** Rows of sample digits in the EDA part. */
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
  const data = {
    eda: edaData(input.train, { rows: input.rows, seed: input.seed }),
    comparison: input.models.length ? comparisonData(input.models, { test: input.test, valid: input.train }) : undefined,
  };
  await saveReportData(dir, data);
  return writeReport(dir, buildFullReport(data));
}
