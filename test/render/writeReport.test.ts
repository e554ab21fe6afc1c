import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distributionChart } from '../../lib/charts/distribution.ts';
import { pixelVariationChart } from '../../lib/charts/pixelMaps.ts';
import type { Report } from '../../lib/render/report.ts';
import { writeReport } from '../../lib/render/writeReport.ts';
import { PIXELS } from '../../lib/types.ts';
import { tempDir } from '../helpers/files.ts';

const twoCharts: Report = {
  title: 'Two charts',
  sections: [
    {
      id: 'one',
      title: 'One',
      paragraphs: ['words'],
      charts: [
        { name: 'bars', spec: distributionChart([{ label: 4, count: 2, share: 1 }]) },
        { name: 'pixels', spec: pixelVariationChart(Array.from({ length: PIXELS }, (_, pixel) => ({ pixel, mean: pixel % 256, std: 1 }))) },
      ],
    },
  ],
};

describe('writeReport', () => {
  it('writes the page and, beside it, each chart’s spec and SVG, leaving no temporary files', async () => {
    const dir = await tempDir();
    const written = await writeReport(dir, twoCharts);
    expect(written.html).toBe(join(dir, 'report.html'));
    expect((await readdir(dir)).sort()).toEqual(['charts', 'report.html']);
    expect((await readdir(join(dir, 'charts'))).sort()).toEqual(['bars.svg', 'bars.vl.json', 'pixels.svg', 'pixels.vl.json']);
    const spec = JSON.parse(await readFile(join(dir, 'charts', 'bars.vl.json'), 'utf8'));
    expect(spec).toEqual(JSON.parse(JSON.stringify(twoCharts.sections[0].charts[0].spec)));
    const html = await readFile(written.html, 'utf8');
    const svg = await readFile(join(dir, 'charts', 'bars.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('data-chart="pixels"');
    // both pixel maps' gradient legends keep their own ids after inlining
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('honours another page name and chart directory', async () => {
    const dir = await tempDir();
    const written = await writeReport(dir, twoCharts, { htmlName: 'eda.html', chartDir: 'specs' });
    expect(written.charts.map((c) => c.svg)).toEqual([join(dir, 'specs', 'bars.svg'), join(dir, 'specs', 'pixels.svg')]);
    expect(await readFile(join(dir, 'eda.html'), 'utf8')).toContain('href="specs/bars.vl.json"');
  });

  it('refuses chart names that are not file-safe or are used twice, naming them', async () => {
    const dir = await tempDir();
    const chart = twoCharts.sections[0].charts[0];
    const bad = (name: string): Report => ({ title: 't', sections: [{ id: 's', title: 's', paragraphs: [], charts: [{ ...chart, name }] }] });
    await expect(writeReport(dir, bad('../escape'))).rejects.toThrow(/chart name '..\/escape' must be lower-case letters, digits and dashes/);
    const twice: Report = { title: 't', sections: [{ id: 's', title: 's', paragraphs: [], charts: [chart, chart] }] };
    await expect(writeReport(dir, twice)).rejects.toThrow(/chart name 'bars' is used twice/);
    expect(await readdir(dir)).toEqual([]);
  });
});
