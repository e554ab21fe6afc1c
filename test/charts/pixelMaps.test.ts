import { describe, expect, it } from 'vitest';
import { pixelVariationChart } from '../../lib/charts/pixelMaps.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';
import { svgRects } from './svgShapes.ts';

describe('pixelVariationChart', () => {
  it('puts pixel (row 2, col 20) near the top right, upright and unmirrored', async () => {
    const hot = 2 * SIDE + 20;
    const stats = Array.from({ length: PIXELS }, (_, pixel) => ({ pixel, mean: pixel === hot ? 200 : 0, std: pixel === hot ? 3 : 0 }));
    const zoom = 5;
    const rects = svgRects(await renderSvg(pixelVariationChart(stats, zoom)));
    expect(rects.length).toBe(2 * PIXELS);
    const meanCell = rects.find((r) => r.label === 'col: 20; row: 2; mean: 200');
    expect(meanCell).toMatchObject({ x: 20 * zoom, y: 2 * zoom });
    const varianceCell = rects.find((r) => r.label.startsWith('col: 20; row: 2; variance: 9'));
    expect(varianceCell).toMatchObject({ x: 20 * zoom, y: 2 * zoom });
    // the hot pixel stands out from the rest in both maps
    const others = rects.filter((r) => r !== meanCell && r !== varianceCell);
    expect(others.some((r) => r.fill === meanCell?.fill)).toBe(false);
  });
});
