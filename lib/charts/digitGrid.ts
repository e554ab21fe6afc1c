import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, limitLabelLength, tileZoom } from './base.ts';
import { pngDataUrl } from './digitImage.ts';
import { UserError } from '../errors.ts';

/** What one model predicted for an image: a class index. */
export interface TilePrediction {
  model: string;
  label: number;
  /** The model's probability for its prediction, 0–1. */
  confidence?: number;
}

/**
 * One image to draw: its `pixelCount(format)` values (0–255, row-major, row 0 at the top, channels
 * side by side) and what is known of it.
 */
export interface ImageTile {
  id: number;
  pixels: ArrayLike<number>;
  /** The true class index, when known. */
  label?: number;
  /** Models' predictions, when known. */
  predictions?: readonly TilePrediction[];
  /** Replaces the first caption line (the true class or the id). */
  caption?: string;
}

/** The digits' name for {@link ImageTile}. */
export type DigitTile = ImageTile;

/** Title and layout of a {@link digitGridChart}, whose images are the Digit Recognizer's. */
export interface DigitGridOptions {
  /** The chart's title. */
  title: string;
  /** A line under the title, e.g. what the images were chosen by. */
  subtitle?: string;
  /** Images per row (default 10). */
  columns?: number;
  /**
   * Screen pixels per image pixel (default: chosen from the image size so that the longer side
   * shows at about 56 px: 2 for 28x28, 4 for 14x14, below 1 for images larger than 56).
   */
  zoom?: number;
  /** Title colour, e.g. the model's colour for its gallery. */
  titleColor?: string;
}

/** Title, layout and data format of an {@link imageGridChart}. */
export interface ImageGridOptions extends DigitGridOptions {
  /** Size and colour of the images, and the classes their labels index (names in the captions). */
  format: ImageFormat;
}

const LINE_HEIGHT = 13;
const WRONG = '#b3261e';
const RIGHT = '#1b7f3b';
const PLAIN = '#3b4252';
/** A caption character's width in pixels at font size 11, generously: captions must not collide. */
const CHAR_WIDTH = 6.5;
/**
 * Longest caption line and longest class name in a caption, in characters; longer ones are cut in
 * the middle here rather than by vega, whose headless renderer measures text at 0.8 em a character
 * and would cut captions that fit.
 */
const MAX_LINE = 24;
const MAX_NAME = 14;

function firstLine(tile: ImageTile, names: readonly string[]): string {
  if (tile.caption !== undefined) return tile.caption;
  if (tile.label === undefined) return `#${tile.id}`;
  return tile.predictions?.length ? `true ${names[tile.label]}` : names[tile.label];
}

function formatPrediction(p: TilePrediction, names: readonly string[]): string {
  return p.confidence === undefined ? `${p.model} ${names[p.label]}` : `${p.model} ${names[p.label]} (${Math.round(p.confidence * 100)}%)`;
}

function predictionColor(tile: ImageTile): string {
  if (tile.label === undefined || !tile.predictions?.length) return PLAIN;
  return tile.predictions.every((p) => p.label === tile.label) ? RIGHT : WRONG;
}

function checkTile(tile: ImageTile, classes: number, verb: string): void {
  for (const label of [tile.label, ...(tile.predictions ?? []).map((p) => p.label)]) {
    if (label !== undefined && !(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new UserError(`${verb}: image ${tile.id} has class index ${label}, the format has ${classes} classes`);
    }
  }
}

/**
 * A grid of images drawn from their pixels at their own size and colour (upright, not mirrored),
 * each captioned with its true class name and, where known, the models' predictions (red when one
 * of them is wrong). Each image is one embedded PNG, so the spec stays small and renders without a
 * canvas. Cells widen for long captions; very long class names are cut in the middle.
 *
 * @example
 * const spec = imageGridChart(
 *   [{ id: 7, pixels, label: 3, predictions: [{ model: 'mlp', label: 1 }] }],
 *   { title: 'Mistakes', columns: 8, format: imageFormat({ width: 32, height: 32, channels: 3, classes: ['cat', 'dog', 'bird', 'frog'] }) },
 * );
 */
export function imageGridChart(tiles: readonly ImageTile[], options: ImageGridOptions): TopLevelSpec {
  return grid(tiles, options, 'imageGridChart');
}

/**
 * A grid of 28x28 digits: {@link imageGridChart} with the Digit Recognizer's format.
 *
 * @example
 * const spec = digitGridChart(
 *   [{ id: 7, pixels, label: 3, predictions: [{ model: 'mlp', label: 5 }] }],
 *   { title: 'Mistakes', columns: 8 },
 * );
 */
export function digitGridChart(tiles: readonly DigitTile[], options: DigitGridOptions): TopLevelSpec {
  return grid(tiles, { ...options, format: MNIST_FORMAT }, 'digitGridChart');
}

function grid(tiles: readonly ImageTile[], options: ImageGridOptions, verb: string): TopLevelSpec {
  const { format } = options;
  const columns = options.columns ?? 10;
  const zoom = options.zoom ?? tileZoom(format);
  if (!Number.isInteger(columns) || columns < 1) throw new UserError(`${verb}: columns must be an integer >= 1, got ${columns}`);
  if (!(zoom > 0)) throw new UserError(`${verb}: zoom must be > 0, got ${zoom}`);
  const names = format.classes.map((c) => limitLabelLength(c.name, MAX_NAME));
  for (const tile of tiles) checkTile(tile, names.length, verb);
  const width = format.width * zoom;
  const height = format.height * zoom;
  const captions = tiles.map((tile) => ({
    first: limitLabelLength(firstLine(tile, names), MAX_LINE),
    predicted: limitLabelLength((tile.predictions ?? []).map((p) => formatPrediction(p, names)).join('  '), MAX_LINE),
  }));
  const hasPredictions = tiles.some((t) => t.predictions?.length);
  const lines = hasPredictions ? 2 : 1;
  const longest = Math.max(0, ...captions.map((c) => Math.max(c.first.length, c.predicted.length)));
  const cellWidth = Math.max(width, hasPredictions ? 84 : 0, Math.ceil(longest * CHAR_WIDTH)) + 10;
  const cellHeight = height + 6 + lines * LINE_HEIGHT + 8;
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const values = tiles.map((tile, i) => {
    const left = (i % columns) * cellWidth;
    const top = Math.floor(i / columns) * cellHeight;
    return {
      id: tile.id,
      url: pngDataUrl(tile.pixels, format, verb),
      x: left + (cellWidth - width) / 2,
      y: top,
      center: left + cellWidth / 2,
      line1: top + height + 4,
      line2: top + height + 4 + LINE_HEIGHT,
      caption: captions[i].first,
      predicted: captions[i].predicted,
      predictedColor: predictionColor(tile),
    };
  });
  const x = { field: 'x', type: 'quantitative', scale: null, axis: null } as const;
  const captionX = { field: 'center', type: 'quantitative', scale: null, axis: null } as const;
  const text = { type: 'text', align: 'center', baseline: 'top', fontSize: 11 } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title, subtitle: options.subtitle, color: options.titleColor },
    config: CHART_CONFIG,
    width: Math.min(tiles.length || 1, columns) * cellWidth,
    height: rows * cellHeight,
    data: { values },
    layer: [
      {
        // aria off: otherwise vega repeats every data URL in an aria-label, doubling the SVG
        mark: { type: 'image', width, height, align: 'left', baseline: 'top', aria: false },
        encoding: { x, y: { field: 'y', type: 'quantitative', scale: null, axis: null }, url: { field: 'url', type: 'nominal' } },
      },
      {
        mark: { ...text, color: PLAIN, fontWeight: 'bold' },
        encoding: { x: captionX, y: { field: 'line1', type: 'quantitative', scale: null, axis: null }, text: { field: 'caption', type: 'nominal' } },
      },
      ...(hasPredictions
        ? [
            {
              mark: text,
              encoding: {
                x: captionX,
                y: { field: 'line2', type: 'quantitative', scale: null, axis: null },
                text: { field: 'predicted', type: 'nominal' },
                color: { field: 'predictedColor', type: 'nominal', scale: null },
              },
            } as const,
          ]
        : []),
    ],
  };
}
