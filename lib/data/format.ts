import { UserError } from '../errors.ts';

/** One class of a data set: its label as the files write it, and the name charts and reports show. */
export interface ImageClass {
  /** The label's text in the input (`'7'`, `'24'`, `'cat'`); submissions write it back. */
  readonly label: string;
  /** What people read (`'T-shirt/top'`); the label itself when no name was given. */
  readonly name: string;
}

/** Width, height and channels of an image (1 = grey levels, 3 = RGB). */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * The description of an image-classification data set that every stage reads: image size and
 * colour, and the classes in index order (a record's `label` is an index into `classes`). Pixels are
 * stored row-major with the channels of a pixel side by side (height x width x channels), grey
 * levels 0–255. Built once (by the reader from a file's header and labels, or by {@link imageFormat}),
 * frozen, and carried by datasets, models, reports and submissions.
 *
 * @example
 * const fashion = imageFormat({ width: 28, height: 28, classes: ['T-shirt/top', 'Trouser', ...] });
 * pixelCount(fashion); // 784
 */
export interface ImageFormat extends ImageSize {
  readonly classes: readonly ImageClass[];
}

/** What {@link imageFormat} accepts: a size and either a class count, label texts or whole classes. */
export interface ImageFormatSpec {
  width: number;
  height: number;
  /** 1 (grey, the default) or 3 (RGB). */
  channels?: number;
  /**
   * K (labels '0'..'K-1'), or the labels in class order, or `{ label, name }` pairs; 0 or `[]` for
   * unlabelled images read without a training set.
   */
  classes: number | readonly (string | ImageClass)[];
}

/** Most classes a data set may have: labels are stored one byte per image. */
export const MAX_CLASSES = 256;
/** Largest width or height accepted. */
export const MAX_SIDE = 4096;

/**
 * A checked, frozen {@link ImageFormat}.
 *
 * @example
 * imageFormat({ width: 32, height: 32, channels: 3, classes: ['airplane', 'automobile', 'bird'] })
 */
export function imageFormat(spec: ImageFormatSpec): ImageFormat {
  const { width, height, channels = 1 } = spec;
  checkSize('imageFormat', { width, height, channels });
  const classes: ImageClass[] =
    typeof spec.classes === 'number'
      ? Array.from({ length: checkClassCount(spec.classes) }, (_, k) => ({ label: String(k), name: String(k) }))
      : spec.classes.map((c) => (typeof c === 'string' ? { label: c, name: c } : { label: String(c.label), name: String(c.name) }));
  checkClassCount(classes.length);
  const seen = new Set<string>();
  for (const { label } of classes) {
    if (label === '') throw new UserError('imageFormat: a class label is empty');
    if (seen.has(label)) throw new UserError(`imageFormat: class label '${label}' appears twice`);
    seen.add(label);
  }
  return Object.freeze({ width, height, channels, classes: Object.freeze(classes.map((c) => Object.freeze({ ...c }))) });
}

/** Kaggle's Digit Recognizer (MNIST): 28 x 28 grey levels, the ten digits 0–9. */
export const MNIST_FORMAT: ImageFormat = imageFormat({ width: 28, height: 28, classes: 10 });

/** Values per image: width x height x channels. */
export function pixelCount(size: ImageSize): number {
  return size.width * size.height * size.channels;
}

/** Number of classes. */
export function classCount(format: ImageFormat): number {
  return format.classes.length;
}

/** The classes' names in index order. */
export function classNames(format: ImageFormat): string[] {
  return format.classes.map((c) => c.name);
}

/** `28x28`, or `32x32x3` for colour. */
export function describeSize(size: ImageSize): string {
  return `${size.width}x${size.height}${size.channels === 1 ? '' : `x${size.channels}`}`;
}

/** Whether the classes are the ten digits 0–9 (then reports say "digit", otherwise "image"). */
export function isDigitFormat(format: ImageFormat): boolean {
  return format.classes.length === 10 && format.classes.every((c, k) => c.label === String(k) && c.name === String(k));
}

/** "digit" for the ten digits, "image" for anything else: the noun charts and reports use. */
export function itemNoun(format: ImageFormat): string {
  return isDigitFormat(format) ? 'digit' : 'image';
}

/** Whether two formats describe the same images and the same classes in the same order. */
export function sameFormat(a: ImageFormat, b: ImageFormat): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    a.channels === b.channels &&
    a.classes.length === b.classes.length &&
    a.classes.every((c, k) => c.label === b.classes[k].label && c.name === b.classes[k].name)
  );
}

/** Whether two sizes are the same width, height and channels (a 28x28 grey image is not 14x56). */
export function sameSize(a: ImageSize, b: ImageSize): boolean {
  return a.width === b.width && a.height === b.height && a.channels === b.channels;
}

/**
 * The image size a row of `count` pixel values implies: a square of grey levels (784 = 28x28) or
 * three squares of RGB (3,072 = 32x32x3); undefined when it is neither.
 */
export function sizeFromPixelCount(count: number): ImageSize | undefined {
  const side = Math.round(Math.sqrt(count));
  if (side > 0 && side * side === count) return { width: side, height: side, channels: 1 };
  const colour = Math.round(Math.sqrt(count / 3));
  if (count % 3 === 0 && colour > 0 && colour * colour * 3 === count) return { width: colour, height: colour, channels: 3 };
  return undefined;
}

/**
 * Parses an image size written `WxH` (grey) or `WxHxC` (C = 1 or 3), as the CLI's `--size` takes it.
 *
 * @example
 * parseImageSize('32x32x3') // { width: 32, height: 32, channels: 3 }
 */
export function parseImageSize(text: string, what = 'size'): ImageSize {
  const match = /^(\d+)x(\d+)(?:x(\d+))?$/i.exec(text.trim());
  if (!match) throw new UserError(`${what}: expected WIDTHxHEIGHT or WIDTHxHEIGHTxCHANNELS (28x28, 32x32x3), got '${text}'`);
  const size = { width: Number(match[1]), height: Number(match[2]), channels: match[3] === undefined ? 1 : Number(match[3]) };
  checkSize(what, size);
  return size;
}

/** Throws a `UserError` unless width and height are integers in 1..MAX_SIDE and channels 1 or 3. */
export function checkSize(stage: string, size: ImageSize): void {
  for (const key of ['width', 'height'] as const) {
    const value = size[key];
    if (!(Number.isInteger(value) && value >= 1 && value <= MAX_SIDE)) {
      throw new UserError(`${stage}: ${key} must be an integer in 1–${MAX_SIDE}, got ${String(value)}`);
    }
  }
  if (size.channels !== 1 && size.channels !== 3) {
    throw new UserError(`${stage}: channels must be 1 (grey) or 3 (RGB), got ${String(size.channels)}`);
  }
}

function checkClassCount(count: number): number {
  if (!(Number.isInteger(count) && count >= 0 && count <= MAX_CLASSES)) {
    throw new UserError(`imageFormat: a data set has 0–${MAX_CLASSES} classes (0: unlabelled images whose classes are unknown), got ${count}`);
  }
  return count;
}

const indexCache = new WeakMap<ImageFormat, Map<string, number>>();

/** The class index of a label text, or undefined when the format has no such class. */
export function classIndexOf(format: ImageFormat, label: string): number | undefined {
  let index = indexCache.get(format);
  if (!index) {
    index = new Map(format.classes.map((c, k) => [c.label, k]));
    indexCache.set(format, index);
  }
  return index.get(label);
}

/**
 * The same format with names for its classes, in class order (the CLI's `--classes`); a count that
 * differs from the classes' fails with both counts.
 *
 * @example
 * withClassNames(format, ['T-shirt/top', 'Trouser', ...])
 */
export function withClassNames(format: ImageFormat, names: readonly string[]): ImageFormat {
  if (names.length !== format.classes.length) {
    const labels = format.classes.map((c) => c.label);
    const shown = labels.length > 12 ? `${labels.slice(0, 12).join(', ')}, ...` : labels.join(', ');
    throw new UserError(`classes: ${names.length} names given, but the training labels have ${labels.length} values (${shown})`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.trim() === '') throw new UserError('classes: a class name is empty');
    if (seen.has(name)) throw new UserError(`classes: the name '${name}' appears twice`);
    seen.add(name);
  }
  return imageFormat({ ...format, classes: format.classes.map((c, k) => ({ label: c.label, name: names[k] })) });
}

/**
 * The format of a data set whose labels were read as texts: classes sorted as numbers when every
 * label is an integer (0, 2, 10, 24), as text otherwise. Returns the format and, for each label in
 * `labels`' order, its class index.
 */
export function formatFromLabels(size: ImageSize, labels: readonly string[]): { format: ImageFormat; indexOf: Int32Array } {
  const numeric = labels.every((label) => /^-?\d+$/.test(label));
  const order = labels.map((label, k) => ({ label, k }));
  order.sort((a, b) => (numeric ? Number(a.label) - Number(b.label) : a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const indexOf = new Int32Array(labels.length);
  order.forEach(({ k }, position) => (indexOf[k] = position));
  return { format: imageFormat({ ...size, classes: order.map(({ label }) => label) }), indexOf };
}
