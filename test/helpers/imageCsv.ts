import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../../lib/data/random.ts';

/** Width, height and channels of fixture images. */
export interface FixtureSize {
  width: number;
  height: number;
  channels: number;
}

/** One fixture row: a label as the file writes it (or none), and its pixel values in file order. */
export interface ImageRow {
  label?: string | number;
  id?: number;
  pixels: number[];
}

/** How {@link imageCsv} lays a file out. */
export interface ImageCsvLayout {
  /** Pixel column names: `${prefix}${start}`, ... (default `pixel`, 0). */
  prefix?: string;
  start?: 0 | 1;
  /** An id column, before the label (Kannada-MNIST's test file has `id` first). */
  idColumn?: string;
  /** No header line at all (EMNIST). */
  header?: boolean;
  /** The label column's name (default `label`). */
  labelColumn?: string;
}

/** CSV text for fixture rows, written by hand, independently of the library's readers and writers. */
export function imageCsv(rows: readonly ImageRow[], layout: ImageCsvLayout = {}): string {
  const { prefix = 'pixel', start = 0, idColumn, header = true, labelColumn = 'label' } = layout;
  const labelled = rows.every((row) => row.label !== undefined);
  const count = rows[0].pixels.length;
  const lines: string[] = [];
  if (header) {
    const names = Array.from({ length: count }, (_, k) => `${prefix}${k + start}`);
    lines.push([...(idColumn ? [idColumn] : []), ...(labelled ? [labelColumn] : []), ...names].join(','));
  }
  for (const row of rows) {
    const label = typeof row.label === 'string' && /[",]/.test(row.label) ? `"${row.label.replace(/"/g, '""')}"` : row.label;
    lines.push([...(idColumn ? [row.id] : []), ...(labelled ? [label] : []), ...row.pixels].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `count` images of `size` whose class can be learnt: class k has a bright square in its own place
 * (and, in colour, its own tint), plus seeded noise. Labels are `labels[k]`, classes in turn.
 */
export function learnableRows(count: number, size: FixtureSize, labels: readonly (string | number)[], seed = 1): ImageRow[] {
  const random = seededRandom(seed);
  const k = labels.length;
  const grid = Math.ceil(Math.sqrt(k));
  const cellW = Math.max(1, Math.floor(size.width / grid));
  const cellH = Math.max(1, Math.floor(size.height / grid));
  return Array.from({ length: count }, (_, i) => {
    const cls = i % k;
    const cx = (cls % grid) * cellW;
    const cy = Math.floor(cls / grid) * cellH;
    const pixels: number[] = [];
    for (let y = 0; y < size.height; y++) {
      for (let x = 0; x < size.width; x++) {
        const inside = x >= cx && x < cx + cellW && y >= cy && y < cy + cellH;
        for (let c = 0; c < size.channels; c++) {
          const tint = size.channels === 1 || (cls + c) % 3 !== 0 ? 1 : 0.5;
          const value = (inside ? 200 * tint : 0) + random() * 55;
          pixels.push(Math.min(255, Math.round(value)));
        }
      }
    }
    return { label: labels[cls], pixels };
  });
}

/** The same rows with RGB values planar (all red, then green, then blue), as CIFAR-style files list them. */
export function planarRows(rows: readonly ImageRow[], size: FixtureSize): ImageRow[] {
  const plane = size.width * size.height;
  return rows.map((row) => ({
    ...row,
    pixels: Array.from({ length: size.channels }, (_, c) => Array.from({ length: plane }, (_, p) => row.pixels[p * size.channels + c])).flat(),
  }));
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeCsv(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}
