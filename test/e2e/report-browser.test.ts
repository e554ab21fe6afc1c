import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../lib/render/writeReport.ts';
import { comparisonData } from '../../reports/comparisonData.ts';
import { edaData } from '../../reports/eda.ts';
import { buildFullReport } from '../../reports/full.ts';
import { smallProject } from '../charts/fixtures.ts';
import { tempDir } from '../helpers/files.ts';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from './browser.ts';

const SCREENSHOT = resolve('out', 'report-e2e.png');

describe('the report in a real headless Chromium', () => {
  it('opens from file:// offline, without errors or requests, every chart drawn as a non-empty SVG', async () => {
    expect(chromiumAvailable(), `${CHROMIUM_PATH} is needed (apt-get install chromium)`).toBe(true);
    const { train, test, models } = smallProject();
    const report = buildFullReport({ eda: edaData(train, { rows: 3 }), comparison: comparisonData(models, { test, valid: train, limit: 20 }) });
    const dir = await tempDir();
    const written = await writeReport(dir, report);
    const url = pathToFileURL(written.html).href;

    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requested: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()}`));
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(url, { waitUntil: 'load' });

      const charts = await page.$$eval('figure[data-chart]', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // (the project compiles without DOM types: the browser's own are described structurally)
          type Graphic = { getBBox(): { width: number; height: number } };
          const images = [...(svg?.querySelectorAll('image') ?? [])].map((image) => (image as unknown as Graphic).getBBox());
          return {
            name: figure.getAttribute('data-chart'),
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            marks: svg?.querySelectorAll('.role-mark > *').length ?? 0,
            emptyImages: images.filter((b) => b.width === 0 || b.height === 0).length,
          };
        }),
      );
      expect(charts.map((c) => c.name)).toEqual(written.charts.map((c) => c.name));
      for (const chart of charts) {
        expect(chart.width, chart.name!).toBeGreaterThan(50);
        expect(chart.height, chart.name!).toBeGreaterThan(50);
        expect(chart.marks, chart.name!).toBeGreaterThan(0);
        expect(chart.emptyImages, chart.name!).toBe(0);
      }
      // every digit image decodes in the browser as a 28 x 28 picture
      const decoded = await page.$$eval('figure svg image', async (elements) => {
        const sizes = await Promise.all(
          elements.map(async (element) => {
            type Picture = { src: string; naturalWidth: number; naturalHeight: number; decode(): Promise<void> };
            const image = new (globalThis as unknown as { Image: new () => Picture }).Image();
            image.src = element.getAttribute('xlink:href') ?? element.getAttribute('href') ?? '';
            await image.decode();
            return `${image.naturalWidth}x${image.naturalHeight}`;
          }),
        );
        return [...new Set(sizes)];
      });
      expect(decoded).toEqual(['28x28']);
      // the only request is the page itself: nothing from the network, not even from disk
      expect(requested).toEqual([url]);
      expect(problems).toEqual([]);

      await mkdir(resolve('out'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await close();
    }
  });
});
