import type { Report } from '../lib/render/report.ts';
import { comparisonSections } from './comparison.ts';
import type { ComparisonData } from './comparisonData.ts';
import { edaSections, reportTitle, type EdaData } from './eda.ts';
import { UserError } from '../lib/errors.ts';

/** What the whole report is built from; either part may be absent. */
export interface ReportData {
  eda?: EdaData;
  comparison?: ComparisonData;
}

/**
 * The main job's report: the data first, then the models (out/report.html), worded for the data set
 * (the Digit Recognizer's title and words for the ten digits, neutral ones for other images).
 *
 * @example
 * await writeReport('out', buildFullReport({ eda, comparison }));
 */
export function buildFullReport(data: ReportData): Report {
  if (!data.eda && !data.comparison) throw new UserError('buildFullReport: neither EDA nor model data given');
  const models = data.comparison?.models.map((m) => m.model).join(' vs ');
  const format = data.eda?.format ?? data.comparison!.format;
  return {
    title: reportTitle(format, ' report'),
    subtitle: [data.eda && `${data.eda.images.toLocaleString('en-US')} training images`, models && `models: ${models}`].filter(Boolean).join(' · '),
    sections: [...(data.eda ? edaSections(data.eda) : []), ...(data.comparison ? comparisonSections(data.comparison) : [])],
  };
}
