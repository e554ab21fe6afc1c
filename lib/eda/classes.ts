import type { ImageFormat } from '../data/format.ts';
import { UserError } from '../errors.ts';

/** Fails, naming the verb, on a label the format has no class for (a table made from other data). */
export function checkLabels(format: ImageFormat, labels: ArrayLike<number>, verb: string): void {
  const classes = format.classes.length;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new UserError(`${verb}: label ${label} is not a class index of the format (${classes} classes)`);
    }
  }
}

/** The class name of every label of a column, for a `class` column beside `label`. */
export function classColumn(format: ImageFormat, labels: ArrayLike<number>, verb: string): string[] {
  checkLabels(format, labels, verb);
  return Array.from(labels, (label) => format.classes[label].name);
}
