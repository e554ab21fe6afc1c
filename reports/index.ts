/**
 * `digit-flow/reports`: static HTML reports as values and files. Report builders (the EDA page, the
 * model comparison, both together), rendering (spec to SVG, SVGs to one self-contained page), the
 * saved report data that `digits report` rebuilds from, and the whole job behind `digits run`.
 *
 * @packageDocumentation
 * @module digit-flow/reports
 */

// render: spec -> SVG, SVGs -> one self-contained HTML page
export { renderSvg } from '../lib/render/svg.ts';
export { reportHtml, type ChartFiles } from '../lib/render/html.ts';
export { writeReport, type WriteReportOptions, type WrittenReport } from '../lib/render/writeReport.ts';
export { escapeHtml } from '../lib/render/escape.ts';
export type { Report, ReportSection, ReportChart } from '../lib/render/report.ts';

// report builders: data in, a Report value out
export { edaData, edaSections, buildEdaReport, type EdaData, type EdaOptions, type ShownImage, type ShownDigit } from './eda.ts';
export { comparisonData, evaluationOf, type ComparisonData, type ComparisonOptions, type Gallery, type Disagreements } from './comparisonData.ts';
export { comparisonSections, buildComparisonReport } from './comparison.ts';
export { recipeWords, trainingWords } from './trainingWords.ts';
export { buildFullReport, type ReportData } from './full.ts';

// reports written to a directory
export { writeEdaReport, writeComparisonReport, writeFullReport, type FullReportInput, type ComparisonReportInput } from './writeReports.ts';
export { saveReportData, loadReportData, rebuildReport, REPORT_DATA_FILE } from './reportData.ts';

// the whole job
export { runJob, QUICK_TRAIN_ROWS, QUICK_EPOCHS, type RunOptions, type RunResult, type RunMetrics } from './runJob.ts';
