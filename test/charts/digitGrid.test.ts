import { describe, expect, it } from 'vitest';
import { digitGridChart } from '../../lib/charts/digitGrid.ts';
import { digitPngDataUrl } from '../../lib/charts/digitImage.ts';
import { meanDigitsChart } from '../../lib/charts/meanDigits.ts';
import { misclassifiedChart } from '../../lib/charts/misclassified.ts';
import { MODEL_PALETTE } from '../../lib/charts/palette.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { PIXELS } from '../../lib/types.ts';
import { svgImages, svgTexts } from './svgShapes.ts';

function image(seed: number): Uint8Array {
  return Uint8Array.from({ length: PIXELS }, (_, p) => (p * 31 + seed * 57) % 256);
}

describe('digitGridChart', () => {
  it('lays digits out row by row, left to right, each drawn from its own pixels', async () => {
    const tiles = Array.from({ length: 7 }, (_, i) => ({ id: 100 + i, pixels: image(i), label: i % 10 }));
    const svg = await renderSvg(digitGridChart(tiles, { title: 'grid', columns: 3, zoom: 2 }));
    const images = svgImages(svg);
    expect(images.map((im) => im.href)).toEqual(tiles.map((t) => digitPngDataUrl(t.pixels)));
    expect(images.every((im) => im.width === 56)).toBe(true);
    // same row: same y, x increasing; next row: lower on the page, back at the left
    expect(images[0].y).toBe(images[2].y);
    expect(images[0].x).toBeLessThan(images[1].x);
    expect(images[1].x).toBeLessThan(images[2].x);
    expect(images[3].y).toBeGreaterThan(images[0].y);
    expect(images[3].x).toBe(images[0].x);
    expect(images[6].y).toBeGreaterThan(images[3].y);
  });

  it('captions each digit with its true label and the models’ predictions, red when one is wrong', async () => {
    const svg = await renderSvg(
      digitGridChart(
        [
          { id: 1, pixels: image(1), label: 3, predictions: [{ model: 'mlp', label: 5 }, { model: 'cnn', label: 3 }] },
          { id: 2, pixels: image(2), label: 4, predictions: [{ model: 'mlp', label: 4 }, { model: 'cnn', label: 4 }] },
          { id: 3, pixels: image(3), predictions: [{ model: 'mlp', label: 7, confidence: 0.914 }] },
        ],
        { title: 'captions' },
      ),
    );
    const texts = svgTexts(svg);
    const find = (text: string) => texts.find((t) => t.text === text);
    expect(find('true 3')).toBeDefined();
    expect(find('#3')).toBeDefined(); // no label known: the id
    expect(find('mlp 7 (91%)')).toBeDefined();
    const wrong = find('mlp 5  cnn 3');
    const right = find('mlp 4  cnn 4');
    expect(wrong?.fill).toBeDefined();
    expect(right?.fill).toBeDefined();
    expect(wrong?.fill).not.toBe(right?.fill);
  });

  it('rejects a bad layout with the parameter named', () => {
    expect(() => digitGridChart([], { title: 't', columns: 0 })).toThrow(/columns must be an integer >= 1/);
    expect(() => digitGridChart([], { title: 't', zoom: -1 })).toThrow(/zoom must be > 0/);
  });

  it('keeps a 10 x 10 grid small: one image element per digit, not a rect per pixel', async () => {
    const tiles = Array.from({ length: 100 }, (_, i) => ({ id: i, pixels: image(i), label: i % 10 }));
    const svg = await renderSvg(digitGridChart(tiles, { title: 'hundred' }));
    expect(svgImages(svg)).toHaveLength(100);
    expect(svg.length).toBeLessThan(2_000_000);
  });
});

describe('charts built on the digit grid', () => {
  it('meanDigitsChart shows one tile per class, captioned with the digit', async () => {
    const means = [0, 1, 2].map((label) => ({ label, count: 10 + label, pixels: new Float64Array(PIXELS).fill(label * 40) }));
    const svg = await renderSvg(meanDigitsChart(means));
    expect(svgImages(svg)).toHaveLength(3);
    expect(svgTexts(svg).filter((t) => ['0', '1', '2'].includes(t.text))).toHaveLength(3);
  });

  it('misclassifiedChart titles the gallery in the model’s colour and says how many are shown', () => {
    const digits = [{ id: 9, label: 4, predicted: 9, confidence: 0.8, pixels: image(9) }];
    const spec = misclassifiedChart('cnn', 1, digits, 'test', 25);
    expect(spec.title).toMatchObject({ color: MODEL_PALETTE[1] });
    expect(JSON.stringify(spec.title)).toContain('the 1 most confident of 25');
  });
});
