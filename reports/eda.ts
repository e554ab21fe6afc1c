import type { DigitDataset } from '../lib/data/dataset.ts';
import { digitGridChart } from '../lib/charts/digitGrid.ts';
import { digitStatsChart, type DigitStat } from '../lib/charts/digitStats.ts';
import { distributionChart, type LabelShare } from '../lib/charts/distribution.ts';
import { meanDigitsChart, type MeanDigit } from '../lib/charts/meanDigits.ts';
import { pixelVariationChart, type PixelStat } from '../lib/charts/pixelMaps.ts';
import { digitPixelStats } from '../lib/eda/digitPixelStats.ts';
import { imageSummaries } from '../lib/eda/imageSummaries.ts';
import { labelDistribution } from '../lib/eda/labelDistribution.ts';
import { meanDigits } from '../lib/eda/meanDigits.ts';
import { pixelStats } from '../lib/eda/pixelStats.ts';
import { sampleDigits } from '../lib/eda/sampleDigits.ts';
import type { Report, ReportSection } from '../lib/render/report.ts';
import { UserError } from '../lib/errors.ts';

/** A digit kept for display: its id, label and 784 grey levels. */
export interface ShownDigit {
  id: number;
  label?: number;
  pixels: number[];
}

/** Everything the EDA part of the report shows, as plain JSON-able data (saved in report-data.json). */
export interface EdaData {
  images: number;
  distribution: LabelShare[];
  digitStats: DigitStat[];
  pixelStats: PixelStat[];
  meanDigits: MeanDigit[];
  sample: { rows: number; columns: number; digits: ShownDigit[] };
}

/**
 * Options of {@link edaData}: the size and seed of the grid of sample digits (the other charts use
 * every image).
 */
export interface EdaOptions {
  /** Rows of sample digits to show (the user's choice, as in the seed notebook). */
  rows: number;
  /** Digits per row (default 10). */
  columns?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * Runs the EDA verbs over the training data and keeps what the charts need. About a second for
 * 42,000 images.
 *
 * @example
 * const data = edaData(train, { rows: 5 });
 */
export function edaData(train: DigitDataset, options: EdaOptions): EdaData {
  if (!train.labelled) throw new UserError('eda: the training data has no labels (a test file?)');
  if (train.size === 0) throw new UserError('eda: the training data is empty');
  const columns = options.columns ?? 10;
  const summaries = imageSummaries(train);
  const means = meanDigits(train)
    .groupby('label', 'count')
    .rollup({ pixels: 'd => op.array_agg(d.mean)' })
    .orderby('label')
    .objects() as unknown as MeanDigit[];
  const sample = sampleDigits(train, { rows: options.rows, columns, seed: options.seed });
  const sampleLabels = sample.array('label') as number[];
  const samplePixels = sample.array('pixels') as Uint8Array[];
  return {
    images: train.size,
    distribution: labelDistribution(summaries).objects() as unknown as LabelShare[],
    digitStats: digitPixelStats(summaries).objects() as unknown as DigitStat[],
    pixelStats: (pixelStats(train).select('pixel', 'mean', 'std').objects() as unknown as PixelStat[]).map((s) => ({
      pixel: s.pixel,
      mean: round(s.mean, 3),
      std: round(s.std, 3),
    })),
    meanDigits: means.map((m) => ({ label: m.label, count: m.count, pixels: Array.from(m.pixels, (v) => round(v, 1)) })),
    sample: {
      rows: options.rows,
      columns,
      digits: (sample.array('id') as number[]).map((id, k) => ({ id, label: sampleLabels[k], pixels: Array.from(samplePixels[k]) })),
    },
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function extremes<T>(rows: readonly T[], value: (row: T) => number): { most: T; least: T } {
  const sorted = [...rows].sort((a, b) => value(b) - value(a));
  return { most: sorted[0], least: sorted[sorted.length - 1] };
}

function inkSentence(stats: readonly DigitStat[]): string {
  const { most, least } = extremes(stats, (s) => s.inkCoverage);
  return `${least.label}s use the least ink (${pct(least.inkCoverage)} of pixels on average), ${most.label}s the most (${pct(most.inkCoverage)}).`;
}

function blankSentence(stats: readonly PixelStat[]): string {
  const blank = stats.filter((s) => s.std === 0 && s.mean === 0).length;
  return `${blank} of the ${stats.length} pixel positions are blank in every training image (zero mean and variance, mostly along the border): they carry no information for any model.`;
}

function largestAndSmallest(distribution: readonly LabelShare[]): string {
  const { most, least } = extremes(
    distribution.filter((d) => d.count > 0),
    (d) => d.count,
  );
  return `The most frequent digit is ${most.label} (${pct(most.share)} of the images), the rarest ${least.label} (${pct(least.share)}).`;
}

/**
 * The EDA sections: what the data looks like before any model sees it.
 *
 * @example
 * const sections = edaSections(edaData(train, { rows: 5 }));
 */
export function edaSections(data: EdaData): ReportSection[] {
  const images = data.images.toLocaleString('en-US');
  return [
    {
      id: 'data',
      title: 'The training data',
      paragraphs: [
        `${images} labelled images of handwritten digits, each 28 x 28 grey levels (0 = background, 255 = full ink).`,
        `${largestAndSmallest(data.distribution)} A balanced data set means accuracy is not flattered by one frequent class.`,
      ],
      charts: [
        { name: 'label-distribution', caption: 'Number of training images per digit; the label on each bar is its share.', spec: distributionChart(data.distribution) },
        {
          name: 'sample-digits',
          caption: `${data.sample.digits.length} training images picked at random (${data.sample.rows} rows, as requested), each with its label.`,
          spec: digitGridChart(data.sample.digits, {
            title: 'Sample of training digits',
            subtitle: `${data.sample.rows} rows chosen at random`,
            columns: data.sample.columns,
          }),
        },
      ],
    },
    {
      id: 'pixels',
      title: 'Ink and pixels',
      paragraphs: [
        'The average image of each digit shows the shape a model has to recognise; blur marks where writers disagree.',
        blankSentence(data.pixelStats),
      ],
      charts: [
        { name: 'mean-digits', caption: 'Pixel-by-pixel average of all training images of each digit.', spec: meanDigitsChart(data.meanDigits) },
        { name: 'digit-ink', caption: inkSentence(data.digitStats), spec: digitStatsChart(data.digitStats) },
        { name: 'pixel-variation', caption: 'Mean grey level and variance of every pixel position over all training images.', spec: pixelVariationChart(data.pixelStats) },
      ],
    },
  ];
}

/**
 * The EDA report alone (what `digits eda` writes).
 *
 * @example
 * await writeReport('out/eda', buildEdaReport(edaData(train, { rows: 5 })));
 */
export function buildEdaReport(data: EdaData): Report {
  return {
    title: 'Digit Recognizer: exploring the data',
    subtitle: `${data.images.toLocaleString('en-US')} training images`,
    sections: edaSections(data),
  };
}
