import type { ImageDataset } from '../lib/data/dataset.ts';
import { classNames, type ImageFormat } from '../lib/data/format.ts';
import { imageGridChart } from '../lib/charts/digitGrid.ts';
import { classStatsChart, type ClassStat } from '../lib/charts/digitStats.ts';
import { distributionChart, type LabelShare } from '../lib/charts/distribution.ts';
import { meanImagesChart, type MeanImage } from '../lib/charts/meanDigits.ts';
import { pixelVariationChart, type PixelStat } from '../lib/charts/pixelMaps.ts';
import { formatWords, listWords, sizeWords } from '../lib/charts/words.ts';
import { classPixelStats } from '../lib/eda/digitPixelStats.ts';
import { imageSummaries } from '../lib/eda/imageSummaries.ts';
import { classDistribution } from '../lib/eda/labelDistribution.ts';
import { meanImages } from '../lib/eda/meanDigits.ts';
import { pixelStats } from '../lib/eda/pixelStats.ts';
import { sampleImages } from '../lib/eda/sampleDigits.ts';
import type { Report, ReportSection } from '../lib/render/report.ts';
import { UserError } from '../lib/errors.ts';

/** An image kept for display: its id, class index and `pixelCount(format)` values 0–255. */
export interface ShownImage {
  id: number;
  label?: number;
  pixels: number[];
}

/** The digits' name for {@link ShownImage}. */
export type ShownDigit = ShownImage;

/**
 * Everything the EDA part of the report shows, as plain JSON-able data (saved in report-data.json).
 * Labels are class indices into `format.classes`; images are stored as the dataset stores them.
 * The keys that say "digit" are kept from the digit-only files, so that those still load.
 */
export interface EdaData {
  /** Size, colour and classes of the training images. */
  format: ImageFormat;
  images: number;
  distribution: LabelShare[];
  digitStats: ClassStat[];
  /** One row per pixel position (width x height). */
  pixelStats: PixelStat[];
  meanDigits: MeanImage[];
  sample: { rows: number; columns: number; digits: ShownImage[] };
}

/**
 * Options of {@link edaData}: the size and seed of the grid of sample images (the other charts use
 * every image).
 */
export interface EdaOptions {
  /** Rows of sample images to show (the user's choice, as in the seed notebook). */
  rows: number;
  /** Images per row (default 10). */
  columns?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * Runs the EDA verbs over the training data and keeps what the charts need, with the data set's
 * format (`train.format`). About a second for 42,000 digits.
 *
 * @example
 * const data = edaData(train, { rows: 5 });
 */
export function edaData(train: ImageDataset, options: EdaOptions): EdaData {
  if (!train.labelled) throw new UserError('eda: the training data has no labels (a test file?)');
  if (train.size === 0) throw new UserError('eda: the training data is empty');
  const { format } = train;
  const columns = options.columns ?? 10;
  const summaries = imageSummaries(train);
  const means = meanImages(train)
    .groupby('label', 'count')
    .rollup({ pixels: 'd => op.array_agg(d.mean)' })
    .orderby('label')
    .objects() as unknown as MeanImage[];
  const sample = sampleImages(train, { rows: options.rows, columns, seed: options.seed });
  const sampleLabels = sample.array('label') as number[];
  const samplePixels = sample.array('pixels') as Uint8Array[];
  return {
    format,
    images: train.size,
    distribution: classDistribution(summaries, format).select('label', 'count', 'share').objects() as unknown as LabelShare[],
    digitStats: classPixelStats(summaries, format).select('label', 'count', 'meanIntensity', 'inkCoverage', 'bboxWidth', 'bboxHeight').objects() as unknown as ClassStat[],
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

function nameOf(format: ImageFormat, label: number): string {
  return format.classes[label]?.name ?? String(label);
}

function inkSentence(stats: readonly ClassStat[], format: ImageFormat): string {
  if (formatWords(format).digits) {
    const { most, least } = extremes(stats, (s) => s.inkCoverage);
    return `${least.label}s use the least ink (${pct(least.inkCoverage)} of pixels on average), ${most.label}s the most (${pct(most.inkCoverage)}).`;
  }
  const { most, least } = extremes(stats, (s) => s.meanIntensity);
  const level = formatWords(format).level;
  return `Images of ${nameOf(format, least.label)} have the lowest mean ${level} (${least.meanIntensity.toFixed(1)} of 255), images of ${nameOf(format, most.label)} the highest (${most.meanIntensity.toFixed(1)}).`;
}

function blankSentence(stats: readonly PixelStat[], digits: boolean): string {
  const blank = stats.filter((s) => s.std === 0 && s.mean === 0).length;
  if (digits) {
    return `${blank} of the ${stats.length} pixel positions are blank in every training image (zero mean and variance, mostly along the border): they carry no information for any model.`;
  }
  if (blank === 0) return `None of the ${stats.length} pixel positions is blank in every training image.`;
  return `${blank} of the ${stats.length} pixel positions are blank in every training image (zero mean and variance): they carry no information for any model.`;
}

function largestAndSmallest(distribution: readonly LabelShare[], format: ImageFormat): string {
  const { most, least } = extremes(
    distribution.filter((d) => d.count > 0),
    (d) => d.count,
  );
  const { kind } = formatWords(format);
  return `The most frequent ${kind} is ${nameOf(format, most.label)} (${pct(most.share)} of the images), the rarest ${nameOf(format, least.label)} (${pct(least.share)}).`;
}

/**
 * How the report introduces a data set: the Digit Recognizer's sentence for grey digits, otherwise
 * the size, colour and classes read from the format.
 */
function describeData(images: string, format: ImageFormat): string {
  // digits in colour (house numbers, say) are not handwriting on paper: the neutral sentence fits them
  if (formatWords(format).digits && format.channels === 1) {
    return `${images} labelled images of handwritten digits, each ${format.width} x ${format.height} grey levels (0 = background, 255 = full ink).`;
  }
  const names = classNames(format);
  return `${images} labelled images, ${sizeWords(format)}, ${names.length} classes: ${listWords(names)}.`;
}

/**
 * The EDA sections: what the data looks like before any model sees it, in the data set's words
 * (digits and ink for the Digit Recognizer, images and classes otherwise).
 *
 * @example
 * const sections = edaSections(edaData(train, { rows: 5 }));
 */
export function edaSections(data: EdaData): ReportSection[] {
  const { format } = data;
  const words = formatWords(format);
  const images = data.images.toLocaleString('en-US');
  const pixelsTitle = format.channels === 3 ? 'Mean brightness (mean of R, G, B)' : 'Mean grey level';
  return [
    {
      id: 'data',
      title: 'The training data',
      paragraphs: [
        describeData(images, format),
        `${largestAndSmallest(data.distribution, format)} A balanced data set means accuracy is not flattered by one frequent class.`,
      ],
      charts: [
        {
          name: 'label-distribution',
          caption: `Number of training images per ${words.kind}; the label on each bar is its share.`,
          spec: distributionChart(data.distribution, undefined, format),
        },
        {
          name: words.digits ? 'sample-digits' : 'sample-images',
          caption: `${data.sample.digits.length} training images picked at random (${data.sample.rows} rows, as requested), each with its label.`,
          spec: imageGridChart(data.sample.digits, {
            title: `Sample of training ${words.items}`,
            subtitle: `${data.sample.rows} rows chosen at random`,
            columns: data.sample.columns,
            format,
          }),
        },
      ],
    },
    {
      id: 'pixels',
      title: words.digits ? 'Ink and pixels' : 'Pixels',
      paragraphs: [
        words.digits
          ? 'The average image of each digit shows the shape a model has to recognise; blur marks where writers disagree.'
          : 'The average image of each class shows what its images have in common; blur marks where they differ.',
        blankSentence(data.pixelStats, words.digits),
      ],
      charts: [
        {
          name: words.digits ? 'mean-digits' : 'mean-images',
          caption: `Pixel-by-pixel average of all training images of each ${words.kind}.`,
          spec: meanImagesChart(data.meanDigits, format),
        },
        { name: words.digits ? 'digit-ink' : 'class-pixels', caption: inkSentence(data.digitStats, format), spec: classStatsChart(data.digitStats, format) },
        {
          name: 'pixel-variation',
          caption: `${pixelsTitle} and variance of every pixel position over all training images.`,
          spec: pixelVariationChart(data.pixelStats, undefined, format),
        },
      ],
    },
  ];
}

/** `Digit Recognizer: ...` for the digits, `Image classification: ...` otherwise. */
export function reportTitle(format: ImageFormat, what: string): string {
  return `${formatWords(format).digits ? 'Digit Recognizer' : 'Image classification'}${what}`;
}

/**
 * The EDA report alone (what `digits eda` writes).
 *
 * @example
 * await writeReport('out/eda', buildEdaReport(edaData(train, { rows: 5 })));
 */
export function buildEdaReport(data: EdaData): Report {
  return {
    title: reportTitle(data.format, ': exploring the data'),
    subtitle: `${data.images.toLocaleString('en-US')} training images`,
    sections: edaSections(data),
  };
}
