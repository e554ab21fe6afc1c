import { MNIST_FORMAT, pixelCount, type ImageSize } from './format.ts';
import { checkRange, checkSeed } from './check.ts';
import { ElasticField, type DisplacementField } from './elastic.ts';
import { symmetric, type Random } from './random.ts';

/**
 * Random affine jitter, optionally with elastic distortion, of images of any size (grey or RGB): the warp math used by both the `augment()`
 * operator and `ImageDataset.batches({ augment })`, on Float32 pixels in row-major order, before any tensor exists.
 */

export interface AugmentOptions {
  /** Largest shift along each axis, in pixels (default 2). */
  maxShiftPx?: number;
  /** Largest rotation either way, in degrees (default 10). */
  maxRotateDeg?: number;
  /** Largest relative change of scale: 0.1 zooms by a factor in [0.9, 1.1] (default 0.1). */
  maxZoom?: number;
  /**
   * Largest displacement along each axis of the elastic distortion's control points, in pixels: each
   * pixel then moves by a smooth blend of them, so strokes bend as well as turn (default 0: none).
   */
  maxElasticPx?: number;
  /** Distance between the elastic distortion's control points, in pixels: larger bends more gently (default 4). */
  elasticGridPx?: number;
  /** Seed of the jitter sequence (used by the `augment()` operator; `batches()` uses its epoch seed). */
  seed?: number;
}

/** {@link AugmentOptions} without the seed, every limit checked and its default filled in. */
export type JitterLimits = Required<Omit<AugmentOptions, 'seed'>>;

/** One image's jitter: the forward transform is zoom and rotation about the centre, then the shift. */
export interface Jitter {
  shiftX: number;
  shiftY: number;
  rotateDeg: number;
  zoom: number;
}

/**
 * The inverse map of an affine transform: the destination pixel (x, y) samples the source at
 * (ax·x + bx·y + cx, ay·x + by·y + cy). Sampling backwards leaves no holes in the output.
 */
export interface InverseAffine {
  ax: number;
  bx: number;
  cx: number;
  ay: number;
  by: number;
  cy: number;
}

/**
 * The limits used for options left out: shifts up to 2 px, rotations up to 10°, zoom within ±10%,
 * no elastic distortion (control points 4 px apart when it is asked for).
 */
export const DEFAULT_JITTER: JitterLimits = { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1, maxElasticPx: 0, elasticGridPx: 4 };

/**
 * Validates augmentation options for images of `size`, filling in defaults; errors name the stage
 * and the parameter. A shift must stay below the image's shorter side.
 */
export function jitterLimits(stage: string, options: AugmentOptions, size: ImageSize = MNIST_FORMAT): JitterLimits {
  if (options.seed !== undefined) checkSeed(stage, options.seed);
  return {
    maxShiftPx: checkRange(stage, 'maxShiftPx', options.maxShiftPx ?? DEFAULT_JITTER.maxShiftPx, 0, Math.min(size.width, size.height), true),
    maxRotateDeg: checkRange(stage, 'maxRotateDeg', options.maxRotateDeg ?? DEFAULT_JITTER.maxRotateDeg, 0, 180),
    maxZoom: checkRange(stage, 'maxZoom', options.maxZoom ?? DEFAULT_JITTER.maxZoom, 0, 1, true),
    maxElasticPx: checkRange(stage, 'maxElasticPx', options.maxElasticPx ?? DEFAULT_JITTER.maxElasticPx, 0, Math.min(size.width, size.height), true),
    elasticGridPx: checkRange(stage, 'elasticGridPx', options.elasticGridPx ?? DEFAULT_JITTER.elasticGridPx, 1, Math.max(size.width, size.height)),
  };
}

/** Draws one image's jitter; always four draws, so the sequence does not depend on which limits are 0. */
export function randomJitter(random: Random, limits: JitterLimits): Jitter {
  return {
    shiftX: symmetric(random, limits.maxShiftPx),
    shiftY: symmetric(random, limits.maxShiftPx),
    rotateDeg: symmetric(random, limits.maxRotateDeg),
    zoom: 1 + symmetric(random, limits.maxZoom),
  };
}

/**
 * The inverse of: scale by `zoom` and rotate by `rotateDeg` about the centre of an image of `size`,
 * then shift. Pixel centres are at integer coordinates, so a 28x28 image's centre is (13.5, 13.5).
 */
export function inverseAffine(jitter: Jitter, size: ImageSize = MNIST_FORMAT): InverseAffine {
  const angle = (jitter.rotateDeg * Math.PI) / 180;
  const cos = Math.cos(angle) / jitter.zoom;
  const sin = Math.sin(angle) / jitter.zoom;
  const centreX = (size.width - 1) / 2;
  const centreY = (size.height - 1) / 2;
  const x0 = centreX + jitter.shiftX;
  const y0 = centreY + jitter.shiftY;
  return {
    ax: cos,
    bx: sin,
    cx: centreX - cos * x0 - sin * y0,
    ay: -sin,
    by: cos,
    cy: centreY + sin * x0 - cos * y0,
  };
}

/**
 * Warps one image of `size` (channels side by side, each warped alike) with bilinear sampling;
 * source points outside the image read as 0, so the background stays 0. `source` and `target` must
 * not overlap. With `field`, each pixel also samples `field`'s displacement away from where the
 * affine map alone would.
 */
export function warpImage(
  source: ArrayLike<number>,
  sourceOffset: number,
  target: Float32Array,
  targetOffset: number,
  m: InverseAffine,
  size: ImageSize = MNIST_FORMAT,
  field?: DisplacementField,
): void {
  const { width, height, channels: c } = size;
  const lastX = width - 1;
  const lastY = height - 1;
  const rowStride = width * c;
  for (let y = 0; y < height; y++) {
    let sx = m.bx * y + m.cx;
    let sy = m.by * y + m.cy;
    const rowOut = targetOffset + y * rowStride;
    for (let x = 0; x < width; x++, sx += m.ax, sy += m.ay) {
      let px = sx;
      let py = sy;
      if (field) {
        px += field.dx[y * width + x];
        py += field.dy[y * width + x];
      }
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const out = rowOut + x * c;
      if (x0 < -1 || y0 < -1 || x0 > lastX || y0 > lastY) {
        for (let k = 0; k < c; k++) target[out + k] = 0;
        continue;
      }
      const fx = px - x0;
      const fy = py - y0;
      const inside = x0 >= 0 && y0 >= 0 && x0 < lastX && y0 < lastY;
      // At the border: neighbours outside the image count as background.
      const inX0 = x0 >= 0;
      const inX1 = x0 < lastX;
      const inY0 = y0 >= 0;
      const inY1 = y0 < lastY;
      for (let k = 0; k < c; k++) {
        const i = sourceOffset + y0 * rowStride + x0 * c + k;
        let value: number;
        if (inside) {
          value =
            (1 - fy) * ((1 - fx) * source[i] + fx * source[i + c]) +
            fy * ((1 - fx) * source[i + rowStride] + fx * source[i + rowStride + c]);
        } else {
          const top = inY0 ? (1 - fx) * (inX0 ? source[i] : 0) + fx * (inX1 ? source[i + c] : 0) : 0;
          const bottom = inY1 ? (1 - fx) * (inX0 ? source[i + rowStride] : 0) + fx * (inX1 ? source[i + rowStride + c] : 0) : 0;
          value = (1 - fy) * top + fy * bottom;
        }
        target[out + k] = value;
      }
    }
  }
}

/** Jitters `count` consecutive images of `pixels` in place with `random`'s draws; returns the jitters drawn, in order. */
export type ImageJitter = (pixels: Float32Array, count: number, random: Random) => Jitter[];

/**
 * A jitter of images of `size` within `limits` that keeps its scratch image and elastic field from
 * call to call: for callers that jitter one image at a time, where building the field would cost
 * more than drawing it. Draws exactly as {@link jitterImages}.
 */
export function imageJitter(limits: JitterLimits, size: ImageSize = MNIST_FORMAT): ImageJitter {
  const stride = pixelCount(size);
  const scratch = new Float32Array(stride);
  // No elastic draws at all when it is off, so the affine jitter's sequence stays what it always was.
  const elastic = limits.maxElasticPx > 0 ? new ElasticField(size, limits.maxElasticPx, limits.elasticGridPx) : undefined;
  return (pixels, count, random) => {
    const jitters: Jitter[] = [];
    for (let i = 0; i < count; i++) {
      const jitter = randomJitter(random, limits);
      jitters.push(jitter);
      const field = elastic?.draw(random);
      scratch.set(pixels.subarray(i * stride, (i + 1) * stride));
      warpImage(scratch, 0, pixels, i * stride, inverseAffine(jitter, size), size, field);
    }
    return jitters;
  };
}

/**
 * Jitters `count` consecutive images of `pixels` in place, one random jitter each (and, when the
 * limits ask for it, one elastic field each, drawn after the jitter). Returns the jitters drawn, in order.
 */
export function jitterImages(pixels: Float32Array, count: number, random: Random, limits: JitterLimits, size: ImageSize = MNIST_FORMAT): Jitter[] {
  return imageJitter(limits, size)(pixels, count, random);
}
