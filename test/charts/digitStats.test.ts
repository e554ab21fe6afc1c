import { describe, expect, it } from 'vitest';
import { digitStatsChart } from '../../lib/charts/digitStats.ts';
import { distributionChart } from '../../lib/charts/distribution.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { svgTexts } from './svgShapes.ts';

describe('EDA bar charts', () => {
  it('digitStatsChart draws one bar per digit in each of its four panels', async () => {
    const rows = [1, 7].map((label) => ({ label, count: 5, meanIntensity: 20 + label, inkCoverage: 0.1, bboxWidth: label, bboxHeight: 20 }));
    const svg = await renderSvg(digitStatsChart(rows));
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(8);
    const titles = svgTexts(svg).map((t) => t.text);
    for (const title of ['Mean grey level (0–255)', 'Inked pixels (share)', 'Stroke box width (px)', 'Stroke box height (px)']) expect(titles).toContain(title);
  });

  it('distributionChart keeps every digit on the axis, even one with no examples', async () => {
    const svg = await renderSvg(distributionChart([{ label: 3, count: 4, share: 1 }]));
    const labels = svgTexts(svg).map((t) => t.text);
    for (const digit of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) expect(labels).toContain(digit);
    expect(labels).toContain('100.0%');
  });
});
