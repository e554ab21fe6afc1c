import type { Report } from '../lib/render/report.ts';
import { comparisonSections } from './comparison.ts';
import type { ComparisonData } from './comparisonData.ts';
import { edaSections, type EdaData } from './eda.ts';
import { UserError } from '../lib/errors.ts';

/** What the whole report is built from; either part may be absent. */
export interface ReportData {
  eda?: EdaData;
  comparison?: ComparisonData;
}

/**
 * The main job's report: the data first, then the models (out/report.html).
 *
 * @example
 * await writeReport('out', buildFullReport({ eda, comparison }));
 */
export function buildFullReport(data: ReportData): Report {
  if (!data.eda && !data.comparison) throw new UserError('buildFullReport: neither EDA nor model data given');
  const models = data.comparison?.models.map((m) => m.model).join(' vs ');
  return {
    title: 'Digit Recognizer report',
    subtitle: [data.eda && `${data.eda.images.toLocaleString('en-US')} training images`, models && `models: ${models}`].filter(Boolean).join(' · '),
    sections: [...(data.eda ? edaSections(data.eda) : []), ...(data.comparison ? comparisonSections(data.comparison) : [])],
  };
}
