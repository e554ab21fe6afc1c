import type { TopLevelSpec } from 'vega-lite';
import { SIDE } from '../types.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './base.ts';
import { digitPngDataUrl } from './digitImage.ts';
import { UserError } from '../errors.ts';

/** What one model predicted for a digit. */
export interface TilePrediction {
  model: string;
  label: number;
  /** The model's probability for its prediction, 0–1. */
  confidence?: number;
}

function formatPrediction(p: TilePrediction): string {
  return p.confidence === undefined ? `${p.model} ${p.label}` : `${p.model} ${p.label} (${Math.round(p.confidence * 100)}%)`;
}

/** One digit to draw: its 784 grey levels (0–255, row-major, row 0 at the top) and what is known of it. */
export interface DigitTile {
  id: number;
  pixels: ArrayLike<number>;
  /** The true label, when known. */
  label?: number;
  /** Models' predictions, when known. */
  predictions?: readonly TilePrediction[];
  /** Replaces the first caption line (the true label or the id). */
  caption?: string;
}

/** Title and layout of a {@link digitGridChart}. */
export interface DigitGridOptions {
  /** The chart's title. */
  title: string;
  /** A line under the title, e.g. what the digits were chosen by. */
  subtitle?: string;
  /** Digits per row (default 10). */
  columns?: number;
  /** Screen pixels per image pixel (default 2: a digit is 56 px wide). */
  zoom?: number;
  /** Title colour, e.g. the model's colour for its gallery. */
  titleColor?: string;
}

const LINE_HEIGHT = 13;
const WRONG = '#b3261e';
const RIGHT = '#1b7f3b';
const PLAIN = '#3b4252';

function firstLine(tile: DigitTile): string {
  if (tile.caption !== undefined) return tile.caption;
  if (tile.label === undefined) return `#${tile.id}`;
  return tile.predictions?.length ? `true ${tile.label}` : String(tile.label);
}

function predictionColor(tile: DigitTile): string {
  if (tile.label === undefined || !tile.predictions?.length) return PLAIN;
  return tile.predictions.every((p) => p.label === tile.label) ? RIGHT : WRONG;
}

/**
 * A grid of digits drawn from their pixels (upright, not mirrored), each captioned with its true
 * label and, where known, the models' predictions (red when one of them is wrong). Each digit is one
 * embedded PNG image, so the spec stays small and renders without a canvas.
 *
 * @example
 * const spec = digitGridChart(
 *   [{ id: 7, pixels, label: 3, predictions: [{ model: 'mlp', label: 5 }] }],
 *   { title: 'Mistakes', columns: 8 },
 * );
 */
export function digitGridChart(tiles: readonly DigitTile[], options: DigitGridOptions): TopLevelSpec {
  const columns = options.columns ?? 10;
  const zoom = options.zoom ?? 2;
  if (!Number.isInteger(columns) || columns < 1) throw new UserError(`digitGridChart: columns must be an integer >= 1, got ${columns}`);
  if (!(zoom > 0)) throw new UserError(`digitGridChart: zoom must be > 0, got ${zoom}`);
  const size = SIDE * zoom;
  const hasPredictions = tiles.some((t) => t.predictions?.length);
  const lines = hasPredictions ? 2 : 1;
  const cellWidth = Math.max(size, hasPredictions ? 84 : 0) + 10;
  const cellHeight = size + 6 + lines * LINE_HEIGHT + 8;
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const values = tiles.map((tile, i) => {
    const left = (i % columns) * cellWidth;
    const top = Math.floor(i / columns) * cellHeight;
    return {
      id: tile.id,
      url: digitPngDataUrl(tile.pixels),
      x: left + (cellWidth - size) / 2,
      y: top,
      center: left + cellWidth / 2,
      line1: top + size + 4,
      line2: top + size + 4 + LINE_HEIGHT,
      caption: firstLine(tile),
      predicted: (tile.predictions ?? []).map(formatPrediction).join('  '),
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
        mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top', aria: false },
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
