import { describe, expect, it } from 'vitest';
import { MODEL_PALETTE, modelColor, modelColorScale } from '../../lib/charts/palette.ts';
import { smallReport, specsOf } from './fixtures.ts';

/** Every (model name -> colour) pair a spec states: colour scales over models, and coloured titles. */
function modelColours(node: unknown, models: readonly string[], found: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) {
    for (const item of node) modelColours(item, models, found);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const { domain, range, text, color } = record;
    if (Array.isArray(domain) && Array.isArray(range) && domain.every((d) => models.includes(d as string))) {
      domain.forEach((d, i) => found.push([d as string, range[i] as string]));
    }
    if (typeof text === 'string' && typeof color === 'string') {
      const model = models.find((m) => text === m || text.startsWith(`${m}:`));
      if (model) found.push([model, color]);
    }
    for (const value of Object.values(record)) modelColours(value, models, found);
  }
  return found;
}

describe('model colours', () => {
  it('gives each model one colour, the same in every chart of the report', () => {
    // the cnn an ensemble: its chart (of the cnn alone) must keep the cnn's colour too
    const pairs = specsOf(smallReport({ ensemble: true })).flatMap(({ spec }) => modelColours(spec, ['mlp', 'cnn']));
    const byModel = new Map<string, Set<string>>();
    for (const [model, colour] of pairs) byModel.set(model, (byModel.get(model) ?? new Set()).add(colour));
    expect([...byModel.keys()].sort()).toEqual(['cnn', 'mlp']);
    expect([...byModel.get('mlp')!]).toEqual([MODEL_PALETTE[0]]);
    expect([...byModel.get('cnn')!]).toEqual([MODEL_PALETTE[1]]);
    // stated in several charts, not just one
    expect(pairs.filter(([m]) => m === 'cnn').length).toBeGreaterThan(3);
  });

  it('maps models to distinct colours in order, wrapping past the palette', () => {
    expect(modelColorScale(['a', 'b'])).toEqual({ domain: ['a', 'b'], range: [MODEL_PALETTE[0], MODEL_PALETTE[1]] });
    expect(modelColor(MODEL_PALETTE.length)).toBe(MODEL_PALETTE[0]);
    expect(new Set(MODEL_PALETTE).size).toBe(MODEL_PALETTE.length);
  });
});
