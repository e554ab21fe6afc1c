import { join } from 'node:path';
import { makeDirectory, writeFileAtomic } from '../io/atomic.ts';
import { reportHtml, type ChartFiles } from './html.ts';
import { checkReport, type Report } from './report.ts';
import { renderSvg } from './svg.ts';

/** Where {@link writeReport} puts the page and chart files inside its `dir`. */
export interface WriteReportOptions {
  /** File name of the page in `dir` (default 'report.html'). */
  htmlName?: string;
  /** Sub-directory of `dir` for each chart's .vl.json and .svg (default 'charts'). */
  chartDir?: string;
}

/** The files a report was written to. */
export interface WrittenReport {
  html: string;
  charts: Array<{ name: string; spec: string; svg: string }>;
}

/**
 * Renders every chart of a report to SVG and writes the page (`dir/report.html`) with, beside it,
 * each chart's Vega-Lite spec and SVG (`dir/charts/<name>.vl.json`, `.svg`). Every file is written
 * under a temporary name and renamed, so a reader never sees a half-written report.
 *
 * @example
 * const written = await writeReport('out', buildEdaReport(edaData(train, { rows: 5 })));
 * console.log(`open ${written.html}`);
 */
export async function writeReport(dir: string, report: Report, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const htmlName = options.htmlName ?? 'report.html';
  const chartDir = options.chartDir ?? 'charts';
  checkReport(report);
  await makeDirectory(join(dir, chartDir));
  const relative = (name: string): ChartFiles => ({ spec: `${chartDir}/${name}.vl.json`, svg: `${chartDir}/${name}.svg` });
  const svgs = new Map<string, string>();
  const charts: WrittenReport['charts'] = [];
  for (const chart of report.sections.flatMap((s) => s.charts)) {
    const svg = await renderSvg(chart.spec);
    svgs.set(chart.name, svg);
    const files = { name: chart.name, spec: join(dir, relative(chart.name).spec), svg: join(dir, relative(chart.name).svg) };
    await writeFileAtomic(files.spec, `${JSON.stringify(chart.spec, null, 2)}\n`);
    await writeFileAtomic(files.svg, svg);
    charts.push(files);
  }
  const html = join(dir, htmlName);
  await writeFileAtomic(html, reportHtml(report, svgs, relative));
  return { html, charts };
}
