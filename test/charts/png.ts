import { inflateSync } from 'node:zlib';

/** What a PNG's IHDR says, and its unfiltered scanlines' bytes (filter bytes dropped). */
export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** height x width x (1 for grey, 3 for RGB) bytes, row-major. */
  samples: Uint8Array;
}

/**
 * Decodes the 8-bit, unfiltered PNGs the chart encoder writes (colour type 0 or 2) from a data URL.
 * Throws on a bad signature, a bad chunk CRC or a filtered scanline.
 */
export function decodePngDataUrl(url: string): DecodedPng {
  const prefix = 'data:image/png;base64,';
  if (!url.startsWith(prefix)) throw new Error(`not a PNG data URL: ${url.slice(0, 30)}`);
  const png = Buffer.from(url.slice(prefix.length), 'base64');
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('bad PNG signature');
  let offset = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (png.readUInt32BE(offset + 8 + length) !== crc32(png.subarray(offset + 4, offset + 8 + length))) throw new Error(`${type}: bad CRC`);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  if (!header) throw new Error('no IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const colourType = header[9];
  const channels = colourType === 2 ? 3 : 1;
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = width * channels;
  if (raw.length !== height * (rowBytes + 1)) throw new Error(`IDAT holds ${raw.length} bytes, expected ${height * (rowBytes + 1)}`);
  const samples = new Uint8Array(height * rowBytes);
  for (let row = 0; row < height; row++) {
    if (raw[row * (rowBytes + 1)] !== 0) throw new Error(`row ${row} is filtered`);
    samples.set(raw.subarray(row * (rowBytes + 1) + 1, (row + 1) * (rowBytes + 1)), row * rowBytes);
  }
  return { width, height, bitDepth: header[8], colourType, samples };
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
