import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdx, readIdxDigits } from '../../lib/io/idx.ts';
import { tempDir } from '../helpers/files.ts';

/** IDX bytes written by hand from the format's definition, independent of encodeIdx. */
function handMadeIdx(dims: number[], data: number[]): Uint8Array {
  const header = [0, 0, 8, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];
  return new Uint8Array([...header, ...data]);
}

describe('IDX', () => {
  it('parses dimensions (big-endian) and data', () => {
    const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const parsed = parseIdx(handMadeIdx([2, 3, 4], data), 'x.idx');
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(data);
    expect(parseIdx(handMadeIdx([300], Array(300).fill(7)), 'y').dims).toEqual([300]);
  });

  it('round-trips through encodeIdx and a file', async () => {
    const array = { dims: [5, 28, 28], data: Uint8Array.from({ length: 5 * 784 }, (_, i) => (i * 31) % 256) };
    const encoded = encodeIdx(array);
    expect(Array.from(encoded)).toEqual(Array.from(handMadeIdx(array.dims, Array.from(array.data))));
    const file = join(await tempDir(), 'images.idx');
    await writeFile(file, encoded);
    const read = await readIdx(file);
    expect(read.dims).toEqual(array.dims);
    expect(Array.from(read.data)).toEqual(Array.from(array.data));
  });

  it.each([
    ['a bad magic number', new Uint8Array([1, 0, 8, 1, 0, 0, 0, 1, 5]), /x\.idx: not a valid IDX file: magic number starts 1,0/],
    ['a non-byte element type', new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 5, 5, 5, 5]), /element type 0xd is not unsigned byte/],
    ['too few bytes for the data', handMadeIdx([2, 2], [1, 2, 3]), /dimensions 2x2 need 16 bytes, file has 15/],
    ['too many bytes', handMadeIdx([2], [1, 2, 3]), /dimensions 2 need 10 bytes, file has 11/],
    ['a truncated header', new Uint8Array([0, 0, 8, 3, 0, 0]), /header needs 16 bytes, file has 6/],
    ['an empty file', new Uint8Array([]), /0 bytes is too short/],
  ])('rejects %s with a clear error', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(message);
  });

  it('checks that images and labels agree', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'img'), handMadeIdx([2, 28, 28], Array(2 * 784).fill(0)));
    await writeFile(join(dir, 'lab3'), handMadeIdx([3], [1, 2, 3]));
    await writeFile(join(dir, 'lab-bad'), handMadeIdx([2], [1, 12]));
    await writeFile(join(dir, 'lab'), handMadeIdx([2], [4, 7]));
    await expect(readIdxDigits(join(dir, 'img'), join(dir, 'lab3'))).rejects.toThrow(/expected 2 labels/);
    await expect(readIdxDigits(join(dir, 'img'), join(dir, 'lab-bad'))).rejects.toThrow(/label 12 at index 1 is outside 0–9/);
    await expect(readIdxDigits(join(dir, 'lab'), join(dir, 'lab'))).rejects.toThrow(/expected N x 28 x 28 images/);
    const digits = await readIdxDigits(join(dir, 'img'), join(dir, 'lab'));
    expect(digits.count).toBe(2);
    expect(Array.from(digits.labels)).toEqual([4, 7]);
  });

  it('names a missing file', async () => {
    await expect(readIdx('/nonexistent/t10k')).rejects.toThrow('/nonexistent/t10k: no such file');
  });
});
