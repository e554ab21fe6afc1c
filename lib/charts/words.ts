import { isDigitFormat, type ImageFormat } from '../data/format.ts';

/**
 * The words charts and reports use for a data set: the Digit Recognizer's ("digit", "ink") for the
 * ten digits, neutral ones ("image", "class") for anything else, so a report on photos of cats never
 * calls them digits.
 */
export interface FormatWords {
  /** Whether the data set is the ten digits 0–9 (`isDigitFormat`). */
  digits: boolean;
  /** One item: 'digit' or 'image'. */
  item: string;
  /** Several items: 'digits' or 'images'. */
  items: string;
  /** A class: 'digit' or 'class'. */
  kind: string;
  /** Classes: 'digits' or 'classes'. */
  kinds: string;
  /** An axis title for classes: 'Digit' or 'Class'. */
  Kind: string;
  /** What a pixel's value is: 'grey level' or, for RGB, 'brightness'. */
  level: string;
}

/** The {@link FormatWords} of a format. */
export function formatWords(format: ImageFormat): FormatWords {
  const digits = isDigitFormat(format);
  return {
    digits,
    item: digits ? 'digit' : 'image',
    items: digits ? 'digits' : 'images',
    kind: digits ? 'digit' : 'class',
    kinds: digits ? 'digits' : 'classes',
    Kind: digits ? 'Digit' : 'Class',
    level: format.channels === 3 ? 'brightness' : 'grey level',
  };
}

/** `32 x 32 RGB` or `14 x 14 grey levels`: an image size as a sentence says it. */
export function sizeWords(format: ImageFormat): string {
  return `${format.width} x ${format.height} ${format.channels === 3 ? 'RGB' : 'grey levels'}`;
}

/** The first `max` items joined with commas, then how many more: `cat, dog and 38 more`. */
export function listWords(items: readonly string[], max = 10): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
