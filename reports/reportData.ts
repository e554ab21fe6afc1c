import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { UserError } from '../lib/errors.ts';
import { writeFileAtomic } from '../lib/io/atomic.ts';
import { writeReport, type WrittenReport } from '../lib/render/writeReport.ts';
import { buildFullReport, type ReportData } from './full.ts';
import { REPORT_DATA_FORMAT, REPORT_DATA_VERSION, reportDataSchema } from './reportDataSchema.ts';

/** The file, in an output directory, that `digits report --from DIR` rebuilds the report from. */
export const REPORT_DATA_FILE = 'report-data.json';

const validate = new Ajv({ strict: false }).compile(reportDataSchema);

/**
 * Saves what the report is built from (EDA figures, model metrics, the pixels of the digits shown)
 * as `dir/report-data.json`, written under a temporary name and renamed.
 *
 * @example
 * await saveReportData('out', { eda, comparison });
 */
export async function saveReportData(dir: string, data: ReportData): Promise<string> {
  const path = join(dir, REPORT_DATA_FILE);
  await writeFileAtomic(path, `${JSON.stringify({ format: REPORT_DATA_FORMAT, version: REPORT_DATA_VERSION, ...data })}\n`);
  return path;
}

/**
 * Loads `dir/report-data.json`, failing with one line naming the file and the first wrong field.
 *
 * @example
 * const data = await loadReportData('out');
 */
export async function loadReportData(dir: string): Promise<ReportData> {
  const path = join(dir, REPORT_DATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${path}: not found (run 'digits run --out ${dir}' first)`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!validate(json)) {
    const first = validate.errors?.[0];
    throw new UserError(`${path}: field ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const { eda, comparison } = json as ReportData;
  if (!eda && !comparison) throw new UserError(`${path}: holds neither 'eda' nor 'comparison'`);
  return { eda, comparison };
}

/**
 * `digits report --from DIR`: rebuilds `report.html` (and its charts) from DIR/report-data.json,
 * without data sets and without training, into `outDir` (default: DIR itself).
 *
 * @example
 * const { html } = await rebuildReport('out');
 */
export async function rebuildReport(dir: string, outDir: string = dir): Promise<WrittenReport> {
  return writeReport(outDir, buildFullReport(await loadReportData(dir)));
}
