import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { expect } from 'vitest';

/** Executable names tried on PATH, then the usual install places. */
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const BROWSER_PLACES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium the browser tests drive: `CHROME_PATH` when set (it must exist), else the first of
 * chromium, chromium-browser, google-chrome on PATH, else the usual install places; undefined when
 * there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROME_PATH) {
    if (!isExecutable(env.CHROME_PATH)) throw new Error(`CHROME_PATH=${env.CHROME_PATH} is not an executable file`);
    return env.CHROME_PATH;
  }
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of BROWSER_NAMES) {
    for (const dir of onPath) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return BROWSER_PLACES.find(isExecutable);
}

/** How to enable the browser tests, printed once when they are skipped. */
export const BROWSER_HINT =
  'browser tests skipped: no Chromium found (set CHROME_PATH, or install chromium, e.g. apt-get install chromium); REQUIRE_BROWSER=1 turns this into a failure';

/**
 * Whether the browser tests can run. Without a browser they are skipped with one line on stderr, unless
 * `REQUIRE_BROWSER` is set (as `.ci/run` does): then a missing browser is a failure, never a silent skip.
 */
export function browserForTests(): string | undefined {
  const path = findChromium();
  if (path) return path;
  if (process.env.REQUIRE_BROWSER) throw new Error(`REQUIRE_BROWSER is set but ${BROWSER_HINT.replace('browser tests skipped: ', '')}`);
  process.stderr.write(`${BROWSER_HINT}\n`);
  return undefined;
}

/**
 * A fresh headless Chromium with its own profile directory (a persistent context is how playwright
 * takes --user-data-dir), offline flags, and a close() that removes the profile.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(BROWSER_HINT);
  const profile = await mkdtemp(join(tmpdir(), 'digit-flow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What a report page looked like in the browser. */
export interface ReportInspection {
  url: string;
  charts: Array<{ name: string | null; width: number; height: number; marks: number; emptyImages: number }>;
  /** Distinct natural sizes of the digit images, once decoded. */
  imageSizes: string[];
  requested: string[];
  /** Console errors, page errors and failed requests. */
  problems: string[];
}

/** Opens a report from file:// in headless Chromium, measures every chart and saves a screenshot. */
export async function inspectReport(htmlPath: string, screenshotPath: string): Promise<ReportInspection> {
  const url = pathToFileURL(htmlPath).href;
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
    const imageSizes = await page.$$eval('figure svg image', async (elements) => {
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
    await mkdir(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return { url, charts, imageSizes, requested, problems };
  } finally {
    await close();
  }
}

/** The checks every report must pass in the browser. */
export function expectHealthyReport(inspection: ReportInspection, chartNames: readonly string[]): void {
  expect(inspection.charts.map((c) => c.name)).toEqual(chartNames);
  for (const chart of inspection.charts) {
    expect(chart.width, chart.name!).toBeGreaterThan(50);
    expect(chart.height, chart.name!).toBeGreaterThan(50);
    expect(chart.marks, chart.name!).toBeGreaterThan(0);
    expect(chart.emptyImages, chart.name!).toBe(0);
  }
  // every digit image decodes in the browser as a 28 x 28 picture
  expect(inspection.imageSizes).toEqual(['28x28']);
  // the only request is the page itself: nothing from the network, not even from disk
  expect(inspection.requested).toEqual([inspection.url]);
  expect(inspection.problems).toEqual([]);
}
