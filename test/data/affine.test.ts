import { describe, expect, it } from 'vitest';
import { PIXELS, SIDE } from '../../lib/types.ts';
import {
  DEFAULT_JITTER,
  inverseAffine,
  jitterImages,
  jitterLimits,
  warpImage,
  type Jitter,
} from '../../lib/data/affine.ts';
import { seededRandom } from '../../lib/data/random.ts';
import { blobImage, centreOfMass } from './fixtures.ts';

const still: Jitter = { shiftX: 0, shiftY: 0, rotateDeg: 0, zoom: 1 };

function warped(image: Float32Array, jitter: Jitter): Float32Array {
  const out = new Float32Array(PIXELS);
  warpImage(image, 0, out, 0, inverseAffine(jitter));
  return out;
}

describe('warpImage', () => {
  it('moves the centre of mass by a sub-pixel shift and keeps the mass', () => {
    const image = blobImage(13, 14);
    const before = centreOfMass(image);
    const after = centreOfMass(warped(image, { ...still, shiftX: 2.5, shiftY: -1.25 }));
    expect(after.mass).toBeCloseTo(before.mass, 4);
    expect(after.x - before.x).toBeCloseTo(2.5, 4);
    expect(after.y - before.y).toBeCloseTo(-1.25, 4);
  });

  it('is the identity without jitter', () => {
    const image = blobImage(10, 17);
    expect(Array.from(warped(image, still))).toEqual(Array.from(image));
  });

  it('rotates about the centre: a quarter turn takes a blob right of centre to below or above it', () => {
    const image = blobImage(21, 13.5, 4);
    const after = centreOfMass(warped(image, { ...still, rotateDeg: 90 }));
    const centre = (SIDE - 1) / 2;
    expect(after.x).toBeCloseTo(centre, 3);
    expect(Math.abs(after.y - centre)).toBeCloseTo(centreOfMass(image).x - centre, 3);
  });

  it('zooms about the centre: the blob moves away from it in proportion', () => {
    const image = blobImage(18, 13.5, 4);
    const centre = (SIDE - 1) / 2;
    const before = centreOfMass(image);
    const after = centreOfMass(warped(image, { ...still, zoom: 1.2 }));
    expect(after.x - centre).toBeCloseTo(1.2 * (before.x - centre), 1);
    expect(after.mass).toBeGreaterThan(before.mass);
  });

  it('keeps the background at 0 and values in 0–1, also when the digit leaves the frame', () => {
    const image = blobImage(24, 24);
    const out = warped(image, { shiftX: 3.3, shiftY: 2.7, rotateDeg: 17, zoom: 1.1 });
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(out[0]).toBe(0); // the corner far from the blob
    expect(centreOfMass(out).mass).toBeLessThan(centreOfMass(image).mass); // part of it left the frame
  });
});

describe('jitterImages', () => {
  it("shifts each digit's centre of mass by the shift drawn for it, within maxShiftPx", () => {
    const count = 8;
    const pixels = new Float32Array(count * PIXELS);
    for (let i = 0; i < count; i++) pixels.set(blobImage(12 + (i % 4), 15 - (i % 3)), i * PIXELS);
    const before = Array.from({ length: count }, (_, i) => centreOfMass(pixels, i * PIXELS));
    const jitters = jitterImages(pixels, count, seededRandom(3), { ...DEFAULT_JITTER, maxShiftPx: 3, maxRotateDeg: 0, maxZoom: 0 });
    jitters.forEach((jitter, i) => {
      const after = centreOfMass(pixels, i * PIXELS);
      expect(Math.abs(jitter.shiftX)).toBeLessThanOrEqual(3);
      expect(after.x - before[i].x).toBeCloseTo(jitter.shiftX, 4);
      expect(after.y - before[i].y).toBeCloseTo(jitter.shiftY, 4);
    });
    expect(new Set(jitters.map((j) => j.shiftX)).size).toBe(count);
  });

  it('draws the same jitter for the same seed and another for another seed', () => {
    const limits = jitterLimits('test', {});
    const draw = (seed: number): Float32Array => {
      const pixels = new Float32Array(2 * PIXELS);
      pixels.set(blobImage(14, 14), 0);
      pixels.set(blobImage(10, 12), PIXELS);
      jitterImages(pixels, 2, seededRandom(seed), limits);
      return pixels;
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });
});

describe('jitterLimits', () => {
  it('fills in defaults and names a bad parameter', () => {
    expect(jitterLimits('augment', { maxShiftPx: 1 })).toEqual({ maxShiftPx: 1, maxRotateDeg: 10, maxZoom: 0.1, maxElasticPx: 0, elasticGridPx: 4 });
    expect(jitterLimits('augment', { maxZoom: undefined, maxRotateDeg: 0 })).toEqual({
      maxShiftPx: 2,
      maxRotateDeg: 0,
      maxZoom: 0.1,
      maxElasticPx: 0,
      elasticGridPx: 4,
    });
    expect(() => jitterLimits('augment', { maxShiftPx: -1 })).toThrow(/augment: maxShiftPx must be/);
    expect(() => jitterLimits('augment', { maxRotateDeg: Number.NaN })).toThrow(/maxRotateDeg/);
    expect(() => jitterLimits('augment', { maxZoom: 1 })).toThrow(/maxZoom must be a number in \[0, 1\)/);
    expect(() => jitterLimits('augment', { seed: 1.5 })).toThrow(/augment: seed must be an integer/);
    expect(() => jitterLimits('augment', { maxElasticPx: -0.5 })).toThrow(/augment: maxElasticPx must be a number in \[0, 28\)/);
    expect(() => jitterLimits('augment', { elasticGridPx: 0.5 })).toThrow(/augment: elasticGridPx must be a number in \[1, 28\]/);
  });
});
