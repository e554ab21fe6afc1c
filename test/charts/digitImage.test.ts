import { describe, expect, it } from 'vitest';
import { digitPngDataUrl } from '../../lib/charts/digitImage.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';
import { decodePngDataUrl } from './png.ts';

/** The grey PNG the encoder writes: 8-bit, colour type 0 (the decoder checks signature, CRCs and filters). */
function decodePng(url: string): { width: number; height: number; grey: Uint8Array } {
  const png = decodePngDataUrl(url);
  expect([png.bitDepth, png.colourType]).toEqual([8, 0]);
  return { width: png.width, height: png.height, grey: png.samples };
}

describe('digitPngDataUrl', () => {
  it('draws the image upright and unmirrored, ink dark on light', () => {
    const pixels = new Uint8Array(PIXELS);
    pixels[0] = 255; // top left
    pixels[SIDE - 1] = 100; // top right
    pixels[(SIDE - 1) * SIDE] = 30; // bottom left
    const { width, height, grey } = decodePng(digitPngDataUrl(pixels));
    expect([width, height]).toEqual([SIDE, SIDE]);
    expect(grey[0]).toBe(0);
    expect(grey[SIDE - 1]).toBe(155);
    expect(grey[(SIDE - 1) * SIDE]).toBe(225);
    expect(grey[PIXELS - 1]).toBe(255);
  });

  it('rounds and clamps fractional grey levels such as mean images', () => {
    const pixels = new Float64Array(PIXELS).fill(12.6);
    pixels[5] = 300;
    pixels[6] = -4;
    const { grey } = decodePng(digitPngDataUrl(pixels));
    expect(grey[0]).toBe(255 - 13);
    expect(grey[5]).toBe(0);
    expect(grey[6]).toBe(255);
  });

  it('names the problem when the image is not 784 pixels', () => {
    expect(() => digitPngDataUrl(new Uint8Array(10))).toThrow(/pixels has 10 values, expected 784/);
  });
});
