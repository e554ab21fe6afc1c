import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageDataset } from '../../lib/data/dataset.ts';
import { imageFormat, MNIST_FORMAT, pixelCount, type ImageFormat } from '../../lib/data/format.ts';
import type { Report } from '../../lib/render/report.ts';
import { buildComparisonReport } from '../../reports/comparison.ts';
import { comparisonData } from '../../reports/comparisonData.ts';
import { buildEdaReport, edaData, edaSections } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { REPORT_DATA_FILE, loadReportData, rebuildReport, saveReportData } from '../../reports/reportData.ts';
import { writeFullReport } from '../../reports/writeReports.ts';
import { smallProject } from '../charts/fixtures.ts';
import { FORTY, GREY_14, RGB_32, randomImages } from '../eda/formatFixtures.ts';
import { tempDir } from '../helpers/files.ts';
import { asEnsemble, syntheticMetrics } from './syntheticMetrics.ts';

/** A labelled train and test set of `format` and two pretend models' metrics on them, the second an ensemble. */
function project(format: ImageFormat, rows: number) {
  const train = randomImages(format, rows, 1);
  const test = randomImages(format, Math.ceil(rows / 2), 2);
  const valid = train.subset(Int32Array.from({ length: Math.ceil(rows / 3) }, (_, i) => i));
  const models = [
    syntheticMetrics({ model: 'mlp', errorRate: 0.3, seed: 1 }, valid, test),
    asEnsemble(syntheticMetrics({ model: 'cnn', errorRate: 0.2, seed: 2 }, valid, test), 3, 7),
  ];
  return { train, test, models };
}

function fullReport(format: ImageFormat, rows: number): { report: Report; data: ReturnType<typeof edaData> } {
  const { train, test, models } = project(format, rows);
  const data = edaData(train, { rows: 2 });
  return { report: buildFullReport({ eda: data, comparison: comparisonData(models, { test, valid: train, limit: 6 }) }), data };
}

/** Everything of a report a reader reads: titles, paragraphs, captions, and the specs' stated texts. */
function words(report: Report): string[] {
  const stated = (node: unknown): string[] =>
    Array.isArray(node)
      ? node.flatMap(stated)
      : node && typeof node === 'object'
        ? Object.entries(node).flatMap(([key, value]) => [...((key === 'title' || key === 'subtitle' || key === 'text') && typeof value === 'string' ? [value] : []), ...stated(value)])
        : [];
  return [
    report.title,
    report.subtitle ?? '',
    ...report.sections.flatMap((s) => [s.title, ...s.paragraphs, ...s.charts.flatMap((c) => [c.name, c.caption ?? '', ...stated(c.spec)])]),
  ];
}

describe.each([
  { format: GREY_14, rows: 30, says: '30 labelled images, 14 x 14 grey levels, 3 classes: circle, square, triangle.' },
  { format: RGB_32, rows: 40, says: '40 labelled images, 32 x 32 RGB, 5 classes: cat, dog, bird, frog, ship.' },
  {
    format: FORTY,
    rows: 80,
    says: `80 labelled images, 12 x 10 grey levels, 40 classes: ${Array.from({ length: 10 }, (_, k) => `Category number ${k} with a long name`).join(', ')} and 30 more.`,
  },
])('the report on $says', ({ format, rows, says }) => {
  const { report, data } = fullReport(format, rows);

  it('records the format and keeps images of its size', () => {
    expect(data.format).toEqual(format);
    expect(data.distribution).toHaveLength(format.classes.length);
    expect(data.pixelStats).toHaveLength(format.width * format.height);
    for (const mean of data.meanDigits) expect(mean.pixels).toHaveLength(pixelCount(format));
    for (const shown of data.sample.digits) expect(shown.pixels).toHaveLength(pixelCount(format));
  });

  it('describes the data set from its format', () => {
    expect(report.sections[0].paragraphs[0]).toBe(says);
    expect(report.title).toBe('Image classification report');
  });

  it('never calls the images digits', () => {
    expect(report.sections.map((s) => s.id)).toContain('ensembles');
    for (const text of words(report)) expect(text).not.toMatch(/digit/i);
  });

  it('names the classes of the mistakes and of the disagreements', () => {
    const names = format.classes.map((c) => c.name.slice(0, 8));
    const grid = JSON.stringify(report.sections.flatMap((s) => s.charts).find((c) => c.name === 'misclassified-1')!.spec);
    expect(names.some((name) => grid.includes(`true ${name}`))).toBe(true);
  });

  it('round-trips through report-data.json, checked against its own format, and rebuilds', async () => {
    const dir = await tempDir();
    const { train, test, models } = project(format, rows);
    const written = await writeFullReport(dir, { train, test, models, rows: 1 });
    const loaded = await loadReportData(dir);
    expect(loaded.eda?.format).toEqual(format);
    expect(loaded.comparison?.format).toEqual(format);
    const html = await readFile(written.html, 'utf8');
    expect(html).toContain(says.slice(0, 40));
    expect((await rebuildReport(dir)).charts).toHaveLength(written.charts.length);
  });
});

describe('report-data.json of other formats', () => {
  async function saved(): Promise<{ dir: string; path: string; json: Record<string, any> }> {
    const dir = await tempDir();
    const { train, test, models } = project(RGB_32, 40);
    await saveReportData(dir, { eda: edaData(train, { rows: 1 }), comparison: comparisonData(models, { test, valid: train, limit: 3 }) });
    const path = join(dir, REPORT_DATA_FILE);
    return { dir, path, json: JSON.parse(await readFile(path, 'utf8')) };
  }

  it('names an image whose length does not match the recorded format', async () => {
    const { dir, path, json } = await saved();
    json.eda.sample.digits[0].pixels.pop();
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /eda/sample/digits/0/pixels must NOT have fewer than 3072 items`);
  });

  it('names a class index beyond the recorded classes, and a bad recorded format', async () => {
    const { dir, path, json } = await saved();
    json.comparison.models[0].testPredictions[0] = 5;
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /comparison/models/0/testPredictions/0 must be <= 4`);
    json.comparison.models[0].testPredictions[0] = 4;
    json.eda.format.classes[1].label = 'cat';
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /eda/format: imageFormat: class label 'cat' appears twice`);
    json.eda.format.channels = 2;
    await writeFile(path, JSON.stringify(json));
    await expect(loadReportData(dir)).rejects.toThrow(`${path}: field /eda/format/channels must be equal to one of the allowed values`);
  });

  it('reads a file without recorded formats, as the digit-only version wrote them, as the Digit Recognizer’s', async () => {
    const dir = await tempDir();
    const { train, test, models } = smallProject();
    const data = { eda: edaData(train, { rows: 1 }), comparison: comparisonData(models, { test, valid: train, limit: 3 }) };
    const { format: _eda, ...eda } = data.eda;
    const { format: _comparison, ...comparison } = data.comparison;
    await writeFile(join(dir, REPORT_DATA_FILE), JSON.stringify({ format: 'digit-flow-report-data', version: 1, eda, comparison }));
    const loaded = await loadReportData(dir);
    expect(loaded.eda?.format).toEqual(MNIST_FORMAT);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(data)));
  });
});

describe('the Digit Recognizer’s report', () => {
  it('still speaks of handwritten digits, in every part', () => {
    const { train, test, models } = smallProject();
    const eda = edaData(train, { rows: 1 });
    const comparison = comparisonData(models, { test, valid: train });
    const full = buildFullReport({ eda, comparison });
    expect(full.title).toBe('Digit Recognizer report');
    expect(buildEdaReport(eda).title).toBe('Digit Recognizer: exploring the data');
    expect(buildComparisonReport(comparison).title).toBe('Digit Recognizer: comparing the models');
    const text = words(full).join(' ');
    expect(text).toContain('200 labelled images of handwritten digits, each 28 x 28 grey levels');
    expect(text).toContain('Errors by digit');
    expect(text).toContain('Confusion matrices: row = true digit, column = predicted digit.');
    expect(full.sections.flatMap((s) => s.charts.map((c) => c.name))).toContain('sample-digits');
  });
});

describe('digits of another kind', () => {
  it('are described by their size and colour, not as 28 x 28 handwriting', () => {
    const houseNumbers = imageFormat({ width: 32, height: 32, channels: 3, classes: 10 });
    expect(edaSections(edaData(randomImages(houseNumbers, 20), { rows: 1 }))[0].paragraphs[0]).toBe(
      '20 labelled images, 32 x 32 RGB, 10 classes: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9.',
    );
    const small = imageFormat({ width: 14, height: 14, classes: 10 });
    expect(edaSections(edaData(randomImages(small, 20), { rows: 1 }))[0].paragraphs[0]).toBe(
      '20 labelled images of handwritten digits, each 14 x 14 grey levels (0 = background, 255 = full ink).',
    );
  });
});

describe('comparisonData of other formats', () => {
  it('refuses images of another size than the models’ data, and confusion matrices of another class count', () => {
    const { train, test, models } = project(RGB_32, 40);
    const small = randomImages(GREY_14, 10);
    expect(() => comparisonData(models, { test: small, valid: train })).toThrow(/the test images are 14x14, the models' data 32x32x3/);
    expect(() => comparisonData(models, { test, valid: train, format: { ...RGB_32, classes: RGB_32.classes.slice(0, 4) } })).toThrow(/mlp's confusion matrix has 5 classes, the data 4/);
  });

  it('takes the format from the training data, and from the test data when that is all there is', () => {
    const { train, test, models } = project(GREY_14, 30);
    // the test file's format may know no classes of its own: the training data's names the classes
    const unnamed = new ImageDataset(test.pixels, test.ids, test.labels, { ...GREY_14, classes: GREY_14.classes.map((c) => ({ label: c.label, name: c.label })) });
    expect(comparisonData(models, { test: unnamed, valid: train }).format).toBe(GREY_14);
    expect(comparisonData(models, { test }).format).toBe(GREY_14);
  });
});
