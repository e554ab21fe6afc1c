import { PIXELS } from '../../lib/types.ts';
import { digitHeader } from '../../lib/io/digits.ts';

export interface FixtureRow {
  label?: number;
  pixels: number[];
}

/** A deterministic digit image whose pixels depend on `seed`, for fixtures. */
export function fixturePixels(seed: number): number[] {
  return Array.from({ length: PIXELS }, (_, p) => (p * 7 + seed * 13) % 256);
}

/** Kaggle-format CSV text for rows, written by hand (independently of the library's writer). */
export function digitCsv(rows: FixtureRow[], options: { labelled?: boolean; eol?: string; bom?: boolean; finalEol?: boolean } = {}): string {
  const labelled = options.labelled ?? rows.every((r) => r.label !== undefined);
  const eol = options.eol ?? '\n';
  const lines = [digitHeader(labelled).join(',')];
  for (const row of rows) lines.push([...(labelled ? [row.label] : []), ...row.pixels].join(','));
  return `${options.bom ? '\uFEFF' : ''}${lines.join(eol)}${options.finalEol === false ? '' : eol}`;
}
