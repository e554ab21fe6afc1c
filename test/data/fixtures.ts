import * as tf from '@tensorflow/tfjs';
import { PIXELS, SIDE, type DigitRecord } from '../../lib/types.ts';
import { seededRandom } from '../../lib/data/random.ts';

/** `n` records with random grey levels and labels, made from `seed` (ids 1..n). */
export function randomRecords(n: number, seed = 1, labelled = true): DigitRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const pixels = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) pixels[p] = Math.floor(random() * 256);
    const label = Math.floor(random() * 10);
    return labelled ? { id: i + 1, label, pixels } : { id: i + 1, pixels };
  });
}

/** A soft square blob of side `size` centred near (cx, cy), values in 0–1, zero elsewhere. */
export function blobImage(cx: number, cy: number, size = 6): Float32Array {
  const image = new Float32Array(PIXELS);
  const x0 = Math.round(cx - size / 2);
  const y0 = Math.round(cy - size / 2);
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) image[y * SIDE + x] = 0.5 + 0.5 * ((x + y) % 2);
  }
  return image;
}

/** Total mass and centre of mass (x, y) of one image. */
export function centreOfMass(image: ArrayLike<number>, offset = 0): { mass: number; x: number; y: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = image[offset + y * SIDE + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return { mass, x: sx / mass, y: sy / mass };
}

/** Live tensors now; compare before and after a stage to catch leaks. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
