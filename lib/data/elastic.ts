import type { ImageSize } from './format.ts';
import { symmetric, type Random } from './random.ts';

/**
 * Elastic distortion (Simard, Steinkraus and Platt, 2003): every pixel moves by its own small
 * displacement, and the displacements vary smoothly across the image, so strokes bend the way
 * handwriting does instead of only turning and shifting as a whole. The field is a cubic B-spline
 * over a coarse grid of random control displacements: smooth like Simard's Gaussian-blurred noise,
 * at a few thousand multiply-adds per image instead of a blur over every pixel.
 */

/** A displacement in pixels for every pixel position (row-major, one value per position, shared by the channels). */
export interface DisplacementField {
  dx: Float32Array;
  dy: Float32Array;
}

/** For each pixel along one axis: the first of the four control points that shape it, and their weights. */
interface AxisSpline {
  controls: number;
  first: Int32Array;
  weights: Float64Array;
}

/**
 * Control point k sits at (k - 1)·gridPx, so the first and the last two lie outside the image and
 * every pixel has four around it.
 */
function axisSpline(length: number, gridPx: number): AxisSpline {
  const cells = Math.max(1, Math.ceil((length - 1) / gridPx));
  const first = new Int32Array(length);
  const weights = new Float64Array(4 * length);
  for (let p = 0; p < length; p++) {
    const u = p / gridPx;
    const cell = Math.min(Math.floor(u), cells - 1);
    const t = u - cell;
    first[p] = cell;
    const s = 1 - t;
    weights[4 * p] = (s * s * s) / 6;
    weights[4 * p + 1] = (3 * t * t * t - 6 * t * t + 4) / 6;
    weights[4 * p + 2] = (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6;
    weights[4 * p + 3] = (t * t * t) / 6;
  }
  return { controls: cells + 3, first, weights };
}

/**
 * Draws smooth random displacement fields for images of one size. The B-spline's weights are
 * non-negative and sum to 1, so no pixel moves further than `maxPx` along either axis.
 *
 * @example
 * const elastic = new ElasticField({ width: 28, height: 28, channels: 1 }, 3, 4);
 * elastic.draw(seededRandom(1)); // elastic.field.dx[i], elastic.field.dy[i]: pixel i's displacement
 */
export class ElasticField {
  /** The field of the last draw. */
  readonly field: DisplacementField;
  private readonly xs: AxisSpline;
  private readonly ys: AxisSpline;
  private readonly controls: Float64Array;
  private readonly rows: Float64Array;

  /**
   * @param size the images' size (the field has one displacement per position, whatever the channels)
   * @param maxPx the largest displacement of a control point along each axis, in pixels
   * @param gridPx the distance between control points, in pixels: larger bends more gently
   */
  constructor(
    private readonly size: ImageSize,
    private readonly maxPx: number,
    gridPx: number,
  ) {
    this.xs = axisSpline(size.width, gridPx);
    this.ys = axisSpline(size.height, gridPx);
    const positions = size.width * size.height;
    this.field = { dx: new Float32Array(positions), dy: new Float32Array(positions) };
    this.controls = new Float64Array(this.xs.controls * this.ys.controls);
    this.rows = new Float64Array(this.ys.controls * size.width);
  }

  /** Draws a new field: the x displacements' control points, then the y ones', row by row. */
  draw(random: Random): DisplacementField {
    this.drawAxis(random, this.field.dx);
    this.drawAxis(random, this.field.dy);
    return this.field;
  }

  private drawAxis(random: Random, out: Float32Array): void {
    const { controls, rows, maxPx } = this;
    const { width, height } = this.size;
    const xFirst = this.xs.first;
    const xWeights = this.xs.weights;
    const xControls = this.xs.controls;
    const yFirst = this.ys.first;
    const yWeights = this.ys.weights;
    const yControls = this.ys.controls;
    for (let k = 0; k < controls.length; k++) controls[k] = symmetric(random, maxPx);
    // Separable: first along x for every row of control points, then along y for every pixel.
    for (let r = 0; r < yControls; r++) {
      const row = r * xControls;
      const rowOut = r * width;
      for (let x = 0; x < width; x++) {
        const c = row + xFirst[x];
        const w = 4 * x;
        rows[rowOut + x] = xWeights[w] * controls[c] + xWeights[w + 1] * controls[c + 1] + xWeights[w + 2] * controls[c + 2] + xWeights[w + 3] * controls[c + 3];
      }
    }
    for (let y = 0; y < height; y++) {
      const r0 = yFirst[y] * width;
      const r1 = r0 + width;
      const r2 = r1 + width;
      const r3 = r2 + width;
      const w0 = yWeights[4 * y];
      const w1 = yWeights[4 * y + 1];
      const w2 = yWeights[4 * y + 2];
      const w3 = yWeights[4 * y + 3];
      const at = y * width;
      for (let x = 0; x < width; x++) out[at + x] = w0 * rows[r0 + x] + w1 * rows[r1 + x] + w2 * rows[r2 + x] + w3 * rows[r3 + x];
    }
  }
}
