import { describe, expect, it } from 'vitest';
import { distributionChart } from '../../lib/charts/distribution.ts';
import { trainingCurvesChart } from '../../lib/charts/trainingCurves.ts';
import { renderSvg } from '../../lib/render/svg.ts';

describe('renderSvg', () => {
  it('renders a spec to an SVG document in Node, with its marks', async () => {
    const rows = [0, 1, 2].map((label) => ({ label, count: 10 * (label + 1), share: (label + 1) / 6 }));
    const svg = await renderSvg(distributionChart(rows));
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(3);
    expect(svg).toContain('>16.7%<');
  });

  it('escapes text that comes from the data, such as a model name', async () => {
    const model = '<img src=x onerror=alert(1)>&';
    const svg = await renderSvg(trainingCurvesChart([{ model, history: [{ epoch: 1, loss: 1, accuracy: 0.5, seconds: 1, samplesPerSec: 1 }] }]));
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;');
  });
});
