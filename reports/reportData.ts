import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { UserError } from '../lib/errors.ts';
import { writeFileAtomic } from '../lib/io/atomic.ts';
import { writeReport, type WrittenReport } from '../lib/render/writeReport.ts';
import { imageFormat, MNIST_FORMAT, type ImageFormat, type ImageFormatSpec } from '../lib/data/format.ts';
import type { ComparisonData } from './comparisonData.ts';
import type { EdaData } from './eda.ts';
import { buildFullReport, type ReportData } from './full.ts';
import { REPORT_DATA_FORMAT, REPORT_DATA_VERSION, comparisonSchemaFor, edaSchemaFor, reportDataSchema } from './reportDataSchema.ts';

/** A part as the file holds it: its format may be absent (files of the digit-only version). */
type SavedPart = Record<string, unknown> & { format?: ImageFormatSpec };
/** The file as parsed, before each part is checked against its format. */
interface SavedReportData {
  eda?: SavedPart;
  comparison?: SavedPart;
}

/** The file, in an output directory, that `digits report --from DIR` rebuilds the report from. */
export const REPORT_DATA_FILE = 'report-data.json';

const ajv = new Ajv({ strict: false });
const validateEnvelope = ajv.compile(reportDataSchema);
// one compiled schema per image format met: a session rebuilding reports sees one or two
const partValidators = new Map<string, ValidateFunction>();

function partValidator(part: 'eda' | 'comparison', format: ImageFormat): ValidateFunction {
  const key = `${part} ${format.width}x${format.height}x${format.channels} ${format.classes.length}`;
  let validate = partValidators.get(key);
  if (!validate) {
    validate = ajv.compile(part === 'eda' ? edaSchemaFor(format) : comparisonSchemaFor(format));
    partValidators.set(key, validate);
  }
  return validate;
}

function firstError(path: string, validate: ValidateFunction, prefix = ''): UserError {
  const first = validate.errors?.[0];
  const field = `${prefix}${first?.instancePath ?? ''}` || '/';
  return new UserError(`${path}: field ${field} ${first?.message ?? 'is invalid'}`);
}

/** A part's recorded format, checked; the Digit Recognizer's for files written before formats were recorded. */
function recordedFormat(path: string, part: 'eda' | 'comparison', recorded: ImageFormatSpec | undefined): ImageFormat {
  if (recorded === undefined) return MNIST_FORMAT;
  try {
    return imageFormat(recorded);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: field /${part}/format: ${error.message}`);
    throw error;
  }
}

/**
 * Saves what the report is built from (the image format, EDA figures, model metrics, the pixels of
 * the images shown) as `dir/report-data.json`, written under a temporary name and renamed.
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
 * Each part is checked against the image format it records (image lengths, class indices, matrix
 * sizes); a part without a recorded format, as the digit-only version wrote, is the Digit
 * Recognizer's.
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
  if (!validateEnvelope(json)) throw firstError(path, validateEnvelope);
  const { eda, comparison } = json as SavedReportData;
  if (!eda && !comparison) throw new UserError(`${path}: holds neither 'eda' nor 'comparison'`);
  const data: ReportData = {};
  if (eda) {
    const format = recordedFormat(path, 'eda', eda.format);
    const validate = partValidator('eda', format);
    if (!validate(eda)) throw firstError(path, validate, '/eda');
    // the schema just checked the shape
    data.eda = { ...(eda as unknown as EdaData), format };
  }
  if (comparison) {
    const format = recordedFormat(path, 'comparison', comparison.format);
    const validate = partValidator('comparison', format);
    if (!validate(comparison)) throw firstError(path, validate, '/comparison');
    data.comparison = { ...(comparison as unknown as ComparisonData), format };
  }
  return data;
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
