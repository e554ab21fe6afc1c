import { UserError } from '../errors.ts';
import { MAX_CLASSES } from '../data/format.ts';
import { quoteSnippet } from './snippet.ts';

/**
 * How a reader turns the label texts of a file into class indices. `LabelMap.fixed(labels)` knows
 * the classes in advance (a test file read with its training set's classes) and refuses any other
 * label; `new LabelMap()` gives each new label the next index, in order of first appearance, so a
 * data set's classes can be found in one pass and sorted afterwards (see `formatFromLabels`).
 * Integer labels are keyed by their value, so `07` and `7` are one class.
 *
 * @example
 * const labels = new LabelMap();
 * await lastValueFrom(readImages('sign_mnist_train.csv', { labels }).pipe(toArray()));
 * labels.labels; // ['3', '6', '2', ...] in order of first appearance
 */
export class LabelMap {
  private readonly index = new Map<string, number>();
  private readonly texts: string[] = [];
  /** Class index by integer label value, for the readers' fast path. */
  private readonly byValue: number[] = [];

  /** A map that grows: every new label gets the next index. */
  constructor();
  /** A map of these labels (in class order) that refuses any other. */
  constructor(labels: readonly string[], frozen: true);
  constructor(labels: readonly string[] = [], private readonly frozen = false) {
    for (const label of labels) this.add(canonicalLabel(label));
  }

  /** A map of exactly these labels, in class order; any other label is refused. */
  static fixed(labels: readonly string[]): LabelMap {
    return new LabelMap(labels, true);
  }

  /** The label texts in index order. */
  get labels(): readonly string[] {
    return this.texts;
  }

  /** Whether new labels are refused. */
  get isFixed(): boolean {
    return this.frozen;
  }

  /**
   * The class index of an integer label, or a reason it has none (a fixed map without it, or more
   * classes than a data set may have).
   */
  indexOfValue(value: number): number | string {
    const known = value >= 0 && value < 4096 ? this.byValue[value] : undefined;
    return known ?? this.indexOf(String(value));
  }

  /** The class index of a label text, or a reason it has none. */
  indexOf(text: string): number | string {
    const label = canonicalLabel(text);
    const known = this.index.get(label);
    if (known !== undefined) return known;
    if (this.frozen) return `label ${quoteSnippet(text, 20)} is not one of the ${this.texts.length} classes (${listLabels(this.texts)})`;
    if (this.texts.length === MAX_CLASSES) return `label ${quoteSnippet(text, 20)} would be class ${MAX_CLASSES + 1}: at most ${MAX_CLASSES} classes are supported`;
    return this.add(label);
  }

  private add(label: string): number {
    if (this.index.has(label)) throw new UserError(`LabelMap: label ${quoteSnippet(label, 20)} appears twice`);
    const k = this.texts.length;
    this.index.set(label, k);
    this.texts.push(label);
    if (/^\d+$/.test(label) && Number(label) < 4096) this.byValue[Number(label)] = k;
    return k;
  }
}

/** Integer labels by value (`007` is `7`), anything else as written. */
export function canonicalLabel(text: string): string {
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? String(Number(text)) : text;
}

/** At most 12 labels, for error messages. */
export function listLabels(labels: readonly string[]): string {
  return labels.length > 12 ? `${labels.slice(0, 12).join(', ')}, ...` : labels.join(', ');
}
