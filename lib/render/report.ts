import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../errors.ts';

/** One chart of a report: its spec and the words around it. `name` becomes its file name. */
export interface ReportChart {
  /** File-name slug, unique in the report: lower-case letters, digits and dashes. */
  name: string;
  /** A sentence under the chart saying how to read it. */
  caption?: string;
  spec: TopLevelSpec;
}

/** A section of a report: a heading, short explanatory paragraphs, then charts. */
export interface ReportSection {
  /** Anchor slug for the table of contents. */
  id: string;
  title: string;
  paragraphs: readonly string[];
  charts: readonly ReportChart[];
}

/** A whole report, independent of how it is rendered. */
export interface Report {
  title: string;
  subtitle?: string;
  sections: readonly ReportSection[];
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Checks that chart names and section ids are slugs and unique, naming the offender. */
export function checkReport(report: Report): void {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const section of report.sections) {
    if (!SLUG.test(section.id)) throw new UserError(`report section id '${section.id}' must be lower-case letters, digits and dashes`);
    if (ids.has(section.id)) throw new UserError(`report section id '${section.id}' is used twice`);
    ids.add(section.id);
    for (const chart of section.charts) {
      if (!SLUG.test(chart.name)) throw new UserError(`report chart name '${chart.name}' must be lower-case letters, digits and dashes`);
      if (names.has(chart.name)) throw new UserError(`report chart name '${chart.name}' is used twice`);
      names.add(chart.name);
    }
  }
}
