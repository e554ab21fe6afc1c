import { DigitDataset } from '../../lib/data/dataset.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';

/** An image with the given (row, col, grey) pixels set and every other pixel 0. */
export function sparseImage(points: ReadonlyArray<[number, number, number]>): Uint8Array {
  const pixels = new Uint8Array(PIXELS);
  for (const [row, col, grey] of points) pixels[row * SIDE + col] = grey;
  return pixels;
}

/**
 * Three hand-made images:
 *  - id 10, label 1: grey 100 at (2, 3) and 200 at (5, 7)  -> box 5 wide, 4 high, 2 inked pixels
 *  - id 11, label 1: grey 50 at (2, 3)                      -> box 1 x 1, 1 inked pixel
 *  - id 12, label 3: blank                                  -> box 0 x 0, no ink
 */
export function handMade(labelled = true): DigitDataset {
  const images = [sparseImage([[2, 3, 100], [5, 7, 200]]), sparseImage([[2, 3, 50]]), sparseImage([])];
  const pixels = new Uint8Array(3 * PIXELS);
  images.forEach((image, i) => pixels.set(image, i * PIXELS));
  return new DigitDataset(pixels, Int32Array.of(10, 11, 12), labelled ? Uint8Array.of(1, 1, 3) : undefined);
}
