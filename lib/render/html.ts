import { escapeHtml } from './escape.ts';
import { checkReport, type Report, type ReportChart } from './report.ts';
import { scopeSvgIds } from './scopeSvgIds.ts';
import { UserError } from '../errors.ts';

/** Where a chart's files are, relative to the HTML page, for the links under each chart. */
export interface ChartFiles {
  spec: string;
  svg: string;
}

const STYLE = `
:root { color-scheme: light; --ink: #2e3440; --muted: #5e6779; --rule: #e5e9f0; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafbfc; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; }
h1 { font-size: 28px; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 20px; padding: 0; margin: 0 0 8px; list-style: none; counter-reset: toc; }
nav li { counter-increment: toc; }
nav li::before { content: counter(toc) ". "; color: var(--muted); }
nav a, figcaption a { color: var(--accent); }
section { border-top: 1px solid var(--rule); padding: 20px 0 8px; }
h2 { font-size: 21px; margin: 0 0 8px; }
section > p { max-width: 760px; margin: 0 0 10px; }
figure { margin: 18px 0 26px; background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 14px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figure svg image { image-rendering: pixelated; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 8px; }
footer { color: var(--muted); font-size: 13px; padding: 16px 24px 40px; }
`;

function figure(chart: ReportChart, svg: string, files: ChartFiles): string {
  const caption = chart.caption ? `${escapeHtml(chart.caption)} ` : '';
  const links = `<a href="${escapeHtml(files.spec)}">Vega-Lite spec</a> · <a href="${escapeHtml(files.svg)}">SVG</a>`;
  return [
    `<figure id="chart-${escapeHtml(chart.name)}" data-chart="${escapeHtml(chart.name)}">`,
    `<div class="chart">${scopeSvgIds(svg, chart.name)}</div>`,
    `<figcaption>${caption}<span class="files">(${links})</span></figcaption>`,
    '</figure>',
  ].join('\n');
}

/**
 * One self-contained HTML page for a report: inline CSS, every chart as an inline SVG, no script and
 * no reference to the network, so it opens from disk in any browser. Every text of the report is
 * escaped; the SVGs come from vega, which escapes the texts it draws.
 *
 * @example
 * const html = reportHtml(report, svgs, (name) => ({ spec: `charts/${name}.vl.json`, svg: `charts/${name}.svg` }));
 */
export function reportHtml(report: Report, svgs: ReadonlyMap<string, string>, filesOf: (name: string) => ChartFiles): string {
  checkReport(report);
  const toc = report.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('');
  const sections = report.sections.map((section) => {
    const paragraphs = section.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`);
    const figures = section.charts.map((chart) => {
      const svg = svgs.get(chart.name);
      if (svg === undefined) throw new UserError(`reportHtml: no SVG for chart '${chart.name}'`);
      return figure(chart, svg, filesOf(chart.name));
    });
    return [`<section id="${escapeHtml(section.id)}">`, `<h2>${escapeHtml(section.title)}</h2>`, ...paragraphs, ...figures, '</section>'].join('\n');
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // no network, no script: the page is only what is in it
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    report.subtitle ? `<p class="subtitle">${escapeHtml(report.subtitle)}</p>` : '',
    `<nav aria-label="Contents"><ol>${toc}</ol></nav>`,
    '</header>',
    '<main>',
    ...sections,
    '</main>',
    '<footer>Made with digit-flow. Every chart is a Vega-Lite spec: open its .vl.json in the Vega editor or embed it elsewhere.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
