import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { digitPngDataUrl } from '../../lib/charts/digitImage.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';

/** Decodes the greyscale, unfiltered 8-bit PNG the encoder writes, checking every chunk's CRC. */
function decodePng(url: string): { width: number; height: number; grey: Uint8Array } {
  const prefix = 'data:image/png;base64,';
  expect(url.startsWith(prefix)).toBe(true);
  const png = Buffer.from(url.slice(prefix.length), 'base64');
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    expect(crc, `${type} CRC`).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const grey = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    expect(raw[row * (width + 1)]).toBe(0);
    grey.set(raw.subarray(row * (width + 1) + 1, (row + 1) * (width + 1)), row * width);
  }
  return { width, height, grey };
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
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
