import type { TopLevelSpec } from 'vega-lite';
import type { ImageFormat, ImageSize } from '../data/format.ts';

type Config = NonNullable<TopLevelSpec['config']>;

/** The Vega-Lite schema every spec declares, so a saved .vl.json opens in the Vega editor as is. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: system fonts, quiet grid, no chart border. */
export const CHART_CONFIG: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e9f0' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** One view of a concatenated chart (what `hconcat` holds). */
export type ViewSpec = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

/** One layer of a layered view. */
export type LayerItem = Extract<ViewSpec, { layer: unknown }>['layer'][number];

/** A data transform of a view. */
export type Transform = NonNullable<Extract<ViewSpec, { mark: unknown }>['transform']>[number];

/** Longest class name an axis shows, in characters; longer ones are cut in the middle. */
export const CLASS_NAME_CHARS = 20;

/**
 * A name cut to `max` characters by dropping its middle (`Category n…long name`), so that names
 * differing at the start or at the end both stay apart; shorter names are returned as they are.
 *
 * @example
 * limitLabelLength('Northern cardinal (female)', 20) // 'Northern car…female)'
 */
export function limitLabelLength(name: string, max: number = CLASS_NAME_CHARS): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) * 0.6);
  const tail = max - 1 - head;
  return `${name.slice(0, head)}…${tail > 0 ? name.slice(-tail) : ''}`;
}

/**
 * The class names as an axis shows them, in class order: long names cut by
 * {@link limitLabelLength}. A scale's domain must not repeat a value, so names that are (or become)
 * equal get their class label appended.
 */
export function axisClassNames(format: ImageFormat): string[] {
  const short = format.classes.map((c) => limitLabelLength(c.name));
  const seen = new Map<string, number>();
  for (const name of short) seen.set(name, (seen.get(name) ?? 0) + 1);
  return format.classes.map((c, k) => {
    if (seen.get(short[k]) === 1) return short[k];
    const suffix = ` (${c.label})`;
    return `${limitLabelLength(c.name, Math.max(4, CLASS_NAME_CHARS - suffix.length))}${suffix}`;
  });
}

/**
 * Adds field `as`, the axis name of the class index in `field`. The names travel in the spec, not in
 * every data row, so the data stays the plain numbers it was given and a class with no rows still
 * has its place on the axis (the axis domain lists every name).
 */
export function classNameLookup(format: ImageFormat, field: string, as: string): Transform {
  return {
    lookup: field,
    from: { data: { values: axisClassNames(format).map((name, label) => ({ label, name })) }, key: 'label', fields: ['name'] },
    as: [as],
  };
}

/** How an axis of K classes is drawn: space per class, label size, angle and length. */
export interface ClassAxisLayout {
  /** The class names on the axis (see {@link axisClassNames}). */
  names: string[];
  /** Pixels per class along the axis. */
  step: number;
  labelFontSize: number;
  /** 0 when every name fits across its step, else -90 (read bottom to top). */
  labelAngle: number;
  /** Longest label in pixels: vega cuts longer names with an ellipsis. */
  labelLimit: number;
}

/** Longest label of a class axis, in pixels: room for {@link CLASS_NAME_CHARS} characters even where vega estimates text widths (0.8 em a character, headless), a last guard against overlong names. */
export const CLASS_LABEL_LIMIT = 180;

/**
 * The layout of a class axis: `step` pixels per class when there are ten or fewer (the digits' look),
 * shrinking towards `minStep` so that `crowded` pixels hold many classes, with smaller labels turned
 * upright when they no longer fit side by side.
 */
export function classAxisLayout(format: ImageFormat, step: number, options: { crowded?: number; minStep?: number; maxStep?: number } = {}): ClassAxisLayout {
  const names = axisClassNames(format);
  const count = names.length;
  const { crowded = 480, minStep = 11, maxStep = step } = options;
  const chosen = count <= 10 ? Math.min(maxStep, Math.max(step, Math.floor((step * 10) / count))) : Math.max(minStep, Math.min(step, Math.floor(crowded / count)));
  const labelFontSize = count <= 12 ? 11 : count <= 30 ? 10 : 9;
  const widest = Math.max(0, ...names.map((n) => n.length)) * labelFontSize * 0.62;
  return { names, step: chosen, labelFontSize, labelAngle: widest <= chosen - 2 ? 0 : -90, labelLimit: CLASS_LABEL_LIMIT };
}

/** The axis properties of a {@link ClassAxisLayout}; the default font size is left implicit. */
export function classAxis(layout: ClassAxisLayout): { labelAngle: number; labelLimit: number; labelFontSize?: number } {
  return {
    labelAngle: layout.labelAngle,
    labelLimit: layout.labelLimit,
    ...(layout.labelFontSize === CHART_CONFIG.axis?.labelFontSize ? {} : { labelFontSize: layout.labelFontSize }),
  };
}

/**
 * Screen pixels per image pixel for a tile: a whole number that shows the image's longer side at
 * about `target` pixels (2 for 28x28 at the default 56, 4 for 14x14), and below 1 for images larger
 * than `target`, which are shrunk to it.
 */
export function tileZoom(size: ImageSize, target = 56): number {
  const side = Math.max(size.width, size.height);
  return side > target ? target / side : Math.max(1, Math.round(target / side));
}
