import { zlibSync } from 'fflate';
import { PIXELS, SIDE } from '../types.ts';
import { UserError } from '../errors.ts';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/**
 * A 28x28 digit as a `data:image/png;base64,...` URL, row 0 at the top and column 0 at the left, as
 * the pixels are stored. Ink (high grey levels) is drawn dark on a light background so digits read
 * like print. An image per digit keeps a grid of 100 digits to a few tens of kB of SVG, where a rect
 * per pixel would take 78,400 elements.
 *
 * @example
 * const url = digitPngDataUrl(dataset.record(0).pixels);
 * // <image href={url} width="56" height="56" style="image-rendering: pixelated">
 */
export function digitPngDataUrl(pixels: ArrayLike<number>): string {
  if (pixels.length !== PIXELS) throw new UserError(`digitPngDataUrl: pixels has ${pixels.length} values, expected ${PIXELS}`);
  // each scanline starts with filter type 0 (none), then one byte per grey pixel
  const raw = new Uint8Array(SIDE * (SIDE + 1));
  for (let row = 0; row < SIDE; row++) {
    for (let col = 0; col < SIDE; col++) {
      const grey = Math.min(255, Math.max(0, Math.round(pixels[row * SIDE + col])));
      raw[row * (SIDE + 1) + 1 + col] = 255 - grey;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, SIDE);
  view.setUint32(4, SIDE);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  const png = concatBytes([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
  return `data:image/png;base64,${base64(png)}`;
}
