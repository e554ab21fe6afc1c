import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { axisClassNames, tileZoom } from '../../lib/charts/base.ts';
import { confusionMatricesChart } from '../../lib/charts/confusion.ts';
import { imageGridChart } from '../../lib/charts/digitGrid.ts';
import { imagePngDataUrl } from '../../lib/charts/digitImage.ts';
import { classStatsChart, type ClassStat } from '../../lib/charts/digitStats.ts';
import { disagreementChart } from '../../lib/charts/disagreement.ts';
import { distributionChart, type LabelShare } from '../../lib/charts/distribution.ts';
import { meanImagesChart, type MeanImage } from '../../lib/charts/meanDigits.ts';
import { misclassifiedChart } from '../../lib/charts/misclassified.ts';
import { perClassChart } from '../../lib/charts/perClass.ts';
import { pixelVariationChart, type PixelStat } from '../../lib/charts/pixelMaps.ts';
import type { ImageDataset } from '../../lib/data/dataset.ts';
import { classNames, imageFormat, pixelCount } from '../../lib/data/format.ts';
import { classPixelStats } from '../../lib/eda/digitPixelStats.ts';
import { imageSummaries } from '../../lib/eda/imageSummaries.ts';
import { classDistribution } from '../../lib/eda/labelDistribution.ts';
import { meanImages } from '../../lib/eda/meanDigits.ts';
import { pixelStats } from '../../lib/eda/pixelStats.ts';
import { sampleImages } from '../../lib/eda/sampleDigits.ts';
import { evaluateLabels } from '../../lib/operators/evaluate.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { FORTY, GREY_14, RGB_32, formatSets, randomImages } from '../eda/formatFixtures.ts';
import { decodePngDataUrl } from './png.ts';
import { svgImages, svgTexts } from './svgShapes.ts';

const require = createRequire(import.meta.url);
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
  JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')),
);

/** Every chart the library draws for a labelled data set, from its EDA tables and a pretend model's predictions. */
function chartsOf(dataset: ImageDataset): Record<string, TopLevelSpec> {
  const { format } = dataset;
  const classes = format.classes.length;
  const summaries = imageSummaries(dataset);
  const truth = Array.from(dataset.labels!);
  const guess = (shift: number) => truth.map((label, i) => (i % 4 === shift ? (label + 1 + shift) % classes : label));
  const evaluation = (predicted: number[]) => {
    const probabilities = new Float32Array(truth.length * classes);
    predicted.forEach((label, i) => (probabilities[i * classes + label] = 0.5 + (i % 5) / 10));
    return evaluateLabels(truth, predicted, dataset.ids, probabilities, classes);
  };
  const [mlp, cnn] = [guess(0), guess(1)];
  const evaluations = [
    { model: 'mlp', evaluation: evaluation(mlp) },
    { model: 'cnn', evaluation: evaluation(cnn) },
  ];
  const means = meanImages(dataset).groupby('label', 'count').rollup({ pixels: 'd => op.array_agg(d.mean)' }).orderby('label').objects() as unknown as MeanImage[];
  const sample = sampleImages(dataset, { rows: 2 }).objects() as Array<{ id: number; label: number; pixels: Uint8Array }>;
  const rowOf = new Map(Array.from(dataset.ids, (id, row) => [id, row]));
  const mistakes = evaluations[0].evaluation.misclassified.slice(0, 12).map((m) => ({ ...m, pixels: dataset.record(rowOf.get(m.id)!).pixels }));
  return {
    distribution: distributionChart(classDistribution(summaries, format).objects() as unknown as LabelShare[], undefined, format),
    classStats: classStatsChart(classPixelStats(summaries, format).objects() as unknown as ClassStat[], format),
    meanImages: meanImagesChart(means, format),
    sample: imageGridChart(sample, { title: 'Sample of training images', format }),
    misclassified: misclassifiedChart('mlp', 0, mistakes, 'validation', evaluations[0].evaluation.misclassified.length, format),
    pixelVariation: pixelVariationChart(pixelStats(dataset).objects() as unknown as PixelStat[], undefined, format),
    confusion: confusionMatricesChart(evaluations.map((e) => ({ model: e.model, confusion: e.evaluation.confusion })), 'validation', format),
    perClass: perClassChart(evaluations.map((e) => ({ model: e.model, perClass: e.evaluation.perClass })), 'validation', format),
    disagreement: disagreementChart({ model: 'mlp', predictions: mlp }, { model: 'cnn', predictions: cnn }, 'validation', format),
  };
}

/** The texts a spec states for people: titles, subtitles, axis and legend titles. */
function statedTexts(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) statedTexts(item, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'title' || key === 'text' || key === 'subtitle') && typeof value === 'string') found.push(value);
      statedTexts(value, found);
    }
  }
  return found;
}

describe.each(formatSets())('charts of $name', ({ dataset }) => {
  const { format } = dataset;
  const charts = chartsOf(dataset);

  it('validate against the Vega-Lite schema and compile', () => {
    for (const [name, spec] of Object.entries(charts)) {
      expect(validate(spec) ? '' : JSON.stringify(validate.errors?.slice(0, 3)), name).toBe('');
      expect(() => compile(spec), name).not.toThrow();
    }
  });

  it('render to SVG, images at the data’s size and every class named', async () => {
    const names = axisClassNames(format);
    const zoom = tileZoom(format);
    for (const [name, spec] of Object.entries(charts)) {
      const svg = await renderSvg(spec);
      expect(svg, name).toMatch(/^<svg /);
      const texts = svgTexts(svg).map((t) => t.text);
      if (['distribution', 'classStats', 'confusion', 'disagreement', 'perClass'].includes(name)) {
        for (const className of names) expect(texts, `${name}: ${className}`).toContain(className);
      }
      if (['meanImages', 'sample', 'misclassified'].includes(name)) {
        const images = svgImages(svg);
        expect(images.length, name).toBeGreaterThan(0);
        for (const image of images) {
          expect(image.width).toBe(format.width * zoom);
          const png = decodePngDataUrl(image.href);
          expect([png.width, png.height, png.colourType]).toEqual([format.width, format.height, format.channels === 3 ? 2 : 0]);
        }
      }
    }
  });

  it('never say "digit": not in a title, an axis or any text drawn', async () => {
    for (const [name, spec] of Object.entries(charts)) {
      for (const text of statedTexts(spec)) expect(text, name).not.toMatch(/digit/i);
      for (const { text } of svgTexts(await renderSvg(spec))) expect(text, name).not.toMatch(/digit/i);
    }
  });
});

describe('charts of many classes', () => {
  const dataset = randomImages(FORTY, 80, 3);
  const charts = chartsOf(dataset);

  it('put the 40 class names on both axes of the confusion matrix, cells too small for counts', () => {
    const view = (charts.confusion as { hconcat: Array<{ encoding: Record<string, { scale: { domain: string[] } }>; layer: unknown[] }> }).hconcat[0];
    const names = axisClassNames(FORTY);
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(40);
    expect(view.encoding.x.scale.domain).toEqual(names);
    expect(view.encoding.y.scale.domain).toEqual(names);
    // the shading layer only: a printed count would not fit a cell
    expect(view.layer).toHaveLength(1);
  });

  it('cut long names to stay apart and short, keeping the label that tells them apart', () => {
    for (const name of axisClassNames(FORTY)) expect(name.length).toBeLessThanOrEqual(20);
    expect(axisClassNames(FORTY)[7]).toMatch(/\(107\)$/);
    const few = imageFormat({ width: 2, height: 2, classes: ['Northern cardinal (female)', 'Northern cardinal (male)', 'cat'] });
    expect(axisClassNames(few)).toEqual(['Northern car…female)', 'Northern car… (male)', 'cat']);
  });

  it('shrink the label font and turn labels upright', () => {
    const axis = (charts.distribution as { encoding: { x: { axis: { labelAngle: number; labelFontSize?: number } } } }).encoding.x.axis;
    expect(axis.labelAngle).toBe(-90);
    expect(axis.labelFontSize).toBeLessThan(11);
  });
});

describe('pixelVariationChart', () => {
  it('maps images larger than 64 pixels a side in averaged blocks, and checks the count of positions', () => {
    const size = { width: 128, height: 96, channels: 3 };
    const stats = Array.from({ length: 128 * 96 }, (_, pixel) => ({ pixel, mean: pixel % 128 < 64 ? 0 : 200, std: (pixel % 2) * 2 }));
    const spec = pixelVariationChart(stats, undefined, size) as { data: { values: Array<{ row: number; col: number; mean: number; variance: number }> } };
    expect(spec.data.values).toHaveLength(64 * 48);
    expect(spec.data.values.find((v) => v.row === 10 && v.col === 40)).toEqual({ row: 10, col: 40, mean: 200, variance: 2 });
    expect(JSON.stringify(spec)).toContain('averaged in blocks of 2 x 2 pixels');
    expect(() => pixelVariationChart(stats.slice(1), undefined, size)).toThrow(/12287 pixel statistics for 128x96 images \(12288 positions\)/);
  });
});

describe('imagePngDataUrl', () => {
  it('writes RGB images in their true colours (PNG colour type 2)', () => {
    const pixels = new Uint8Array(pixelCount(RGB_32));
    pixels.set([255, 0, 0], 0); // top left red
    pixels.set([0, 0, 255], (32 * 32 - 1) * 3); // bottom right blue
    const png = decodePngDataUrl(imagePngDataUrl(pixels, RGB_32));
    expect([png.width, png.height, png.bitDepth, png.colourType]).toEqual([32, 32, 8, 2]);
    expect([...png.samples.subarray(0, 3)]).toEqual([255, 0, 0]);
    expect([...png.samples.subarray(png.samples.length - 3)]).toEqual([0, 0, 255]);
    expect([...png.samples.subarray(3, 6)]).toEqual([0, 0, 0]);
  });

  it('writes grey images of any size ink-dark on light, not square too', () => {
    const size = { width: 14, height: 9, channels: 1 };
    const pixels = new Uint8Array(14 * 9);
    pixels[13] = 200; // top right
    const png = decodePngDataUrl(imagePngDataUrl(pixels, size));
    expect([png.width, png.height, png.colourType]).toEqual([14, 9, 0]);
    expect(png.samples[13]).toBe(55);
    expect(png.samples[0]).toBe(255);
  });

  it('names the size it expected', () => {
    expect(() => imagePngDataUrl(new Uint8Array(10), GREY_14)).toThrow(/imagePngDataUrl: pixels has 10 values, expected 196 \(14x14\)/);
  });
});

describe('image tiles', () => {
  it('zoom small images up and large ones down to about 56 px', () => {
    expect(tileZoom({ width: 28, height: 28, channels: 1 })).toBe(2);
    expect(tileZoom(GREY_14)).toBe(4);
    expect(tileZoom(RGB_32)).toBe(2);
    expect(tileZoom({ width: 224, height: 112, channels: 3 })).toBe(0.25);
  });

  it('caption with class names, and refuse a class index the format does not have', async () => {
    const pixels = new Uint8Array(pixelCount(RGB_32));
    const spec = imageGridChart([{ id: 1, pixels, label: 2, predictions: [{ model: 'cnn', label: 4, confidence: 0.5 }] }], { title: 't', format: RGB_32 });
    const texts = svgTexts(await renderSvg(spec)).map((t) => t.text);
    expect(texts).toContain(`true ${classNames(RGB_32)[2]}`);
    expect(texts).toContain('cnn ship (50%)');
    expect(() => imageGridChart([{ id: 9, pixels, label: 5 }], { title: 't', format: RGB_32 })).toThrow(/image 9 has class index 5, the format has 5 classes/);
  });
});
