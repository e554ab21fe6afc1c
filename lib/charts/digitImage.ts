import { zlibSync } from 'fflate';
import { checkSize, describeSize, MNIST_FORMAT, pixelCount, type ImageSize } from '../data/format.ts';
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
 * An image as a `data:image/png;base64,...` URL at its own size, row 0 at the top and column 0 at
 * the left, as the pixels are stored (row-major, the channels of a pixel side by side). Grey images
 * are drawn ink-dark on a light background (high levels dark), so digits and sketches read like
 * print; RGB images keep their true colours (PNG colour type 2). Fractional values, such as those
 * of mean images, are rounded and clamped to 0–255. An image per tile keeps a grid of 100 images to
 * a few tens of kB of SVG, where a rect per pixel would take 78,400 elements for 28x28 digits.
 *
 * @example
 * const url = imagePngDataUrl(dataset.record(0).pixels, dataset.format);
 * // <image href={url} width="64" height="64" style="image-rendering: pixelated">
 */
export function imagePngDataUrl(pixels: ArrayLike<number>, size: ImageSize): string {
  return pngDataUrl(pixels, size, 'imagePngDataUrl');
}

/**
 * A 28x28 digit of the Digit Recognizer as a PNG data URL: {@link imagePngDataUrl} at MNIST's size.
 *
 * @example
 * const url = digitPngDataUrl(dataset.record(0).pixels);
 * // <image href={url} width="56" height="56" style="image-rendering: pixelated">
 */
export function digitPngDataUrl(pixels: ArrayLike<number>): string {
  return pngDataUrl(pixels, MNIST_FORMAT, 'digitPngDataUrl');
}

/** {@link imagePngDataUrl}, naming `verb` in its errors. */
export function pngDataUrl(pixels: ArrayLike<number>, size: ImageSize, verb: string): string {
  checkSize(verb, size);
  const { width, height, channels } = size;
  const expected = pixelCount(size);
  if (pixels.length !== expected) {
    throw new UserError(`${verb}: pixels has ${pixels.length} values, expected ${expected} (${describeSize(size)})`);
  }
  const rowBytes = width * channels;
  const grey = channels === 1;
  // each scanline starts with filter type 0 (none), then the row's values as stored
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let row = 0; row < height; row++) {
    for (let i = 0; i < rowBytes; i++) {
      const value = Math.min(255, Math.max(0, Math.round(pixels[row * rowBytes + i])));
      raw[row * (rowBytes + 1) + 1 + i] = grey ? 255 - value : value;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = grey ? 0 : 2; // colour type: greyscale or truecolour RGB
  const png = concatBytes([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
  return `data:image/png;base64,${base64(png)}`;
}
