import { describe, expect, it } from 'vitest';
import { inverseAffine, jitterImages, jitterLimits, randomJitter, warpImage, type Jitter } from '../../lib/data/affine.ts';
import { ElasticField } from '../../lib/data/elastic.ts';
import { seededRandom, type Random } from '../../lib/data/random.ts';
import { MNIST_FORMAT, type ImageSize } from '../../lib/data/format.ts';
import { PIXELS, SIDE } from '../../lib/types.ts';
import { blobImage, centreOfMass } from './fixtures.ts';

const still: Jitter = { shiftX: 0, shiftY: 0, rotateDeg: 0, zoom: 1 };

/** A generator that counts its draws. */
function counted(seed: number): { random: Random; draws: () => number } {
  const inner = seededRandom(seed);
  let n = 0;
  return { random: () => (n++, inner()), draws: () => n };
}

describe('ElasticField', () => {
  it('stays within maxPx along each axis, and draws the same field for the same seed', () => {
    const elastic = new ElasticField(MNIST_FORMAT, 3, 4);
    const a = elastic.draw(seededRandom(9));
    const dx = Float32Array.from(a.dx);
    const dy = Float32Array.from(a.dy);
    expect(Math.max(...dx.map(Math.abs), ...dy.map(Math.abs))).toBeLessThanOrEqual(3);
    expect(Math.max(...dx.map(Math.abs))).toBeGreaterThan(0.3); // not a flat field
    const again = new ElasticField(MNIST_FORMAT, 3, 4).draw(seededRandom(9));
    expect(Array.from(again.dx)).toEqual(Array.from(dx));
    expect(Array.from(again.dy)).toEqual(Array.from(dy));
    expect(Array.from(elastic.draw(seededRandom(10)).dx)).not.toEqual(Array.from(dx));
  });

  it('is smooth: neighbouring pixels move alike, less so on a finer grid', () => {
    const roughness = (gridPx: number): number => {
      const { dx } = new ElasticField(MNIST_FORMAT, 3, gridPx).draw(seededRandom(4));
      let largest = 0;
      for (let y = 0; y < SIDE; y++) for (let x = 1; x < SIDE; x++) largest = Math.max(largest, Math.abs(dx[y * SIDE + x] - dx[y * SIDE + x - 1]));
      return largest;
    };
    // A step between neighbours is at most 2·maxPx·(1/gridPx) for a B-spline of controls in [-maxPx, maxPx].
    expect(roughness(4)).toBeLessThanOrEqual(1.5);
    expect(roughness(8)).toBeLessThan(roughness(2));
  });

  it('reproduces equal control points exactly (the weights sum to 1), on any image size', () => {
    const size: ImageSize = { width: 13, height: 5, channels: 3 };
    const field = new ElasticField(size, 2.5, 3).draw(() => 1); // every control point at +2.5
    expect(field.dx.length).toBe(65);
    for (const value of [...field.dx, ...field.dy]) expect(value).toBeCloseTo(2.5, 5);
  });
});

describe('elastic distortion in jitterImages', () => {
  it('a constant field moves the image as a shift the other way would', () => {
    const image = blobImage(12, 15);
    const field = { dx: new Float32Array(PIXELS).fill(1.5), dy: new Float32Array(PIXELS).fill(-0.75) };
    const bent = new Float32Array(PIXELS);
    warpImage(image, 0, bent, 0, inverseAffine(still), MNIST_FORMAT, field);
    const shifted = new Float32Array(PIXELS);
    warpImage(image, 0, shifted, 0, inverseAffine({ ...still, shiftX: -1.5, shiftY: 0.75 }));
    for (let i = 0; i < PIXELS; i++) expect(bent[i]).toBeCloseTo(shifted[i], 5);
  });

  it('off by default: no extra draws, the same pixels as the affine jitter alone', () => {
    const limits = jitterLimits('test', {});
    expect(limits.maxElasticPx).toBe(0);
    const pixels = new Float32Array(3 * PIXELS);
    for (let i = 0; i < 3; i++) pixels.set(blobImage(11 + i, 14), i * PIXELS);
    const { random, draws } = counted(2);
    jitterImages(pixels, 3, random, limits);
    expect(draws()).toBe(3 * 4);
    const byHand = new Float32Array(3 * PIXELS);
    const replay = seededRandom(2);
    for (let i = 0; i < 3; i++) warpImage(blobImage(11 + i, 14), 0, byHand, i * PIXELS, inverseAffine(randomJitter(replay, limits)));
    expect(Array.from(pixels)).toEqual(Array.from(byHand));
  });

  it('bends each digit its own way: pixels change beyond the affine jitter, the centre stays within reach, same seed same result', () => {
    const limits = jitterLimits('test', { maxShiftPx: 0, maxRotateDeg: 0, maxZoom: 0, maxElasticPx: 2, elasticGridPx: 4 });
    const draw = (seed: number): Float32Array => {
      const pixels = new Float32Array(2 * PIXELS);
      pixels.set(blobImage(14, 14, 4), 0);
      pixels.set(blobImage(14, 14, 4), PIXELS);
      jitterImages(pixels, 2, seededRandom(seed), limits);
      return pixels;
    };
    const out = draw(5);
    const first = out.subarray(0, PIXELS);
    const second = out.subarray(PIXELS);
    const original = blobImage(14, 14, 4);
    expect(Array.from(first)).not.toEqual(Array.from(original));
    expect(Array.from(first)).not.toEqual(Array.from(second)); // a new field per image
    for (const bent of [first, second]) {
      const before = centreOfMass(original);
      const after = centreOfMass(bent);
      expect(Math.abs(after.x - before.x)).toBeLessThanOrEqual(2);
      expect(Math.abs(after.y - before.y)).toBeLessThanOrEqual(2);
      // The field's slope is at most maxElasticPx / elasticGridPx = 0.5, so no area grows past 1.5² or shrinks below 0.5².
      expect(after.mass / before.mass).toBeGreaterThan(0.25);
      expect(after.mass / before.mass).toBeLessThan(2.25);
    }
    expect(draw(5)).toEqual(out);
    expect(draw(6)).not.toEqual(out);
  });
});
