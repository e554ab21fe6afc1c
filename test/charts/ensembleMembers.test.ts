import { describe, expect, it } from 'vitest';
import { ensembleMembersChart, type EnsembleAccuracy } from '../../lib/charts/ensembleMembers.ts';
import { imageFormat } from '../../lib/data/format.ts';
import { MODEL_PALETTE } from '../../lib/charts/palette.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { svgTexts } from './svgShapes.ts';

const cnn: EnsembleAccuracy = {
  model: 'cnn',
  accuracy: 0.9952,
  members: [0.9936, 0.9941, 0.9936].map((accuracy, k) => ({ member: k + 1, accuracy, seed: 20742 + 1000 * k })),
};
const mlp: EnsembleAccuracy = { model: 'mlp', accuracy: 0.9871, members: [{ member: 1, accuracy: 0.9855 }, { member: 2, accuracy: 0.9849 }] };

function inlineValues(spec: object): Array<Record<string, unknown>> {
  return (spec as { data: { values: Array<Record<string, unknown>> } }).data.values;
}

describe('ensembleMembersChart', () => {
  it('holds a row per member and one for the ensemble, as given', () => {
    expect(inlineValues(ensembleMembersChart([cnn]))).toEqual([
      { model: 'cnn', kind: 'member', accuracy: 0.9936, member: 1, seed: 20742 },
      { model: 'cnn', kind: 'member', accuracy: 0.9941, member: 2, seed: 21742 },
      { model: 'cnn', kind: 'member', accuracy: 0.9936, member: 3, seed: 22742 },
      { model: 'cnn', kind: 'ensemble', accuracy: 0.9952 },
    ]);
  });

  it('draws a dot per member and a labelled bar per ensemble, in each model’s report colour', async () => {
    const svg = await renderSvg(ensembleMembersChart([mlp, cnn], { dataName: 'validation', models: ['mlp', 'cnn'] }));
    const dots = [...svg.matchAll(/<path [^>]*aria-roledescription="circle"[^>]*>/g)].map(([element]) => /fill="([^"]+)"/.exec(element)?.[1]);
    expect(dots).toEqual([MODEL_PALETTE[0], MODEL_PALETTE[0], MODEL_PALETTE[1], MODEL_PALETTE[1], MODEL_PALETTE[1]]);
    expect(svg.match(/aria-roledescription="tick"/g)).toHaveLength(2);
    const texts = svgTexts(svg).map((t) => t.text);
    for (const text of ['ensemble 98.71%', 'ensemble 99.52%', 'Accuracy (validation)', 'Ensembles and their members']) expect(texts).toContain(text);
  });

  it('gives an ensemble the colour of its place in the report, and names the items of the format', async () => {
    const spec = ensembleMembersChart([cnn], { models: ['mlp', 'cnn'], format: imageFormat({ width: 8, height: 8, classes: ['cat', 'dog', 'owl'] }) });
    const svg = await renderSvg(spec);
    expect(svg).toContain(`fill="${MODEL_PALETTE[1]}"`);
    expect(svg).not.toContain(`fill="${MODEL_PALETTE[0]}"`);
    expect(svgTexts(svg).map((t) => t.text)).toContain('cnn: the ensemble and its members');
    expect(JSON.stringify(spec.title)).toContain('Accuracy on the test images');
  });

  it('refuses accuracies outside [0, 1], an ensemble without members and a model given twice', () => {
    expect(() => ensembleMembersChart([{ ...cnn, accuracy: 99.52 }])).toThrow("ensembleMembersChart: the accuracy of 'cnn' must be an accuracy in [0, 1], got 99.52");
    expect(() => ensembleMembersChart([{ ...cnn, members: [{ member: 4, accuracy: Number.NaN }] }])).toThrow(/'cnn' member 4 must be an accuracy/);
    expect(() => ensembleMembersChart([{ ...cnn, members: [] }])).toThrow("ensembleMembersChart: ensemble 'cnn' has no members");
    expect(() => ensembleMembersChart([cnn, cnn])).toThrow("ensembleMembersChart: model 'cnn' is given twice");
  });
});
