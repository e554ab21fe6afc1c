import { describe, expect, it } from 'vitest';
import { comparisonTableChart } from '../../lib/charts/comparisonTable.ts';
import { confusionMatricesChart } from '../../lib/charts/confusion.ts';
import { disagreementChart } from '../../lib/charts/disagreement.ts';
import { perClassChart } from '../../lib/charts/perClass.ts';
import { MODEL_PALETTE } from '../../lib/charts/palette.ts';
import { trainingCurvesChart } from '../../lib/charts/trainingCurves.ts';
import { renderSvg } from '../../lib/render/svg.ts';
import { svgTexts } from './svgShapes.ts';

function inlineValues(spec: object): Array<Record<string, unknown>> {
  return (spec as { data: { values: Array<Record<string, unknown>> } }).data.values;
}

describe('disagreementChart', () => {
  it('counts, per pair of labels, the digits the two models label differently', () => {
    const spec = disagreementChart({ model: 'a', predictions: [1, 1, 2, 3, 3, 3] }, { model: 'b', predictions: [1, 7, 2, 8, 8, 3] });
    expect(inlineValues(spec)).toEqual(
      expect.arrayContaining([
        { first: 1, second: 7, count: 1 },
        { first: 3, second: 8, count: 2 },
      ]),
    );
    expect(inlineValues(spec)).toHaveLength(2);
    expect(JSON.stringify(spec.title)).toContain('3 of 6 test digits (50.00%)');
  });

  it('refuses predictions of different lengths, naming both models', () => {
    expect(() => disagreementChart({ model: 'a', predictions: [1] }, { model: 'b', predictions: [1, 2] })).toThrow(/a has 1 predictions but b has 2/);
  });
});

describe('confusionMatricesChart', () => {
  it('turns counts into cells with the share of the true class', () => {
    const confusion = Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 3 : p === 0 ? 1 : 0)));
    const spec = confusionMatricesChart([{ model: 'm', confusion }], 'test') as { hconcat: Array<{ data: { values: Array<Record<string, number>> } }> };
    const cells = spec.hconcat[0].data.values;
    expect(cells).toHaveLength(100);
    expect(cells.find((c) => c.label === 4 && c.predicted === 0)).toEqual({ label: 4, predicted: 0, count: 1, share: 0.25 });
    expect(cells.find((c) => c.label === 0 && c.predicted === 0)).toEqual({ label: 0, predicted: 0, count: 3, share: 1 });
  });

  it('names the model whose matrix is not 10 x 10', () => {
    expect(() => confusionMatricesChart([{ model: 'odd', confusion: [[1]] }], 'test')).toThrow(/model 'odd' must be 10 x 10/);
  });
});

describe('trainingCurvesChart and perClassChart', () => {
  it('keeps validation points only for epochs that have them', () => {
    const spec = trainingCurvesChart([
      {
        model: 'm',
        history: [
          { epoch: 1, loss: 2, accuracy: 0.5, validLoss: 2.5, validAccuracy: 0.4, seconds: 1, samplesPerSec: 9 },
          { epoch: 2, loss: 1, accuracy: 0.7, seconds: 1, samplesPerSec: 9 },
        ],
      },
    ]);
    const points = inlineValues(spec);
    expect(points.filter((p) => p.split === 'train')).toHaveLength(2);
    expect(points.filter((p) => p.split === 'validation')).toEqual([{ model: 'm', epoch: 1, split: 'validation', loss: 2.5, accuracy: 0.4 }]);
  });

  it('draws each model’s lines in its own colour, train solid and validation dashed', async () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 1 - 1 / (epoch + 1), validLoss: 1.2 / epoch, validAccuracy: 0.9 - 1 / (epoch + 2), seconds: 1, samplesPerSec: 9 }));
    const svg = await renderSvg(trainingCurvesChart([{ model: 'a', history }, { model: 'b', history }]));
    const lines = [...svg.matchAll(/<path [^>]*aria-roledescription="line mark"[^>]*>/g)].map(([element]) => ({
      stroke: /stroke="([^"]+)"/.exec(element)?.[1],
      dash: /stroke-dasharray="([^"]+)"/.exec(element)?.[1],
    }));
    expect(new Set(lines.map((l) => l.stroke))).toEqual(new Set([MODEL_PALETTE[0], MODEL_PALETTE[1]]));
    // two models x two splits x two panels, half of them dashed
    expect(lines).toHaveLength(8);
    expect(lines.filter((l) => l.dash === '5,3')).toHaveLength(4);
  });

  it('lays out precision, recall and F1 of every class for every model', () => {
    const perClass = Array.from({ length: 10 }, (_, label) => ({ label, precision: 0.9, recall: 0.8, f1: 0.85, support: 5 }));
    const values = inlineValues(perClassChart([{ model: 'a', perClass }, { model: 'b', perClass }], 'validation'));
    expect(values).toHaveLength(2 * 10 * 3);
    expect(values.find((v) => v.model === 'b' && v.label === 7 && v.measure === 'Recall')?.value).toBe(0.8);
  });
});

describe('comparisonTableChart', () => {
  it('prints every figure per model, and says when the test accuracy is unknown', async () => {
    const base = { backend: 'wasm', parameters: 1234567, epochs: 3, trainSeconds: 12.34, samplesPerSec: 4321.6, predictSeconds: 0.456 };
    const svg = await renderSvg(
      comparisonTableChart([
        { model: 'mlp', validAccuracy: 0.97123, testAccuracy: 0.9688, ...base },
        { model: 'cnn', validAccuracy: 0.99, ...base, backend: 'cpu' },
      ]),
    );
    const texts = svgTexts(svg).map((t) => t.text);
    for (const text of ['mlp', 'cnn', '97.12%', '96.88%', 'unknown (no answers)', '1,234,567', '12.3 s', '4,322 samples/s', '0.46 s', 'wasm', 'cpu', 'Test accuracy']) {
      expect(texts, text).toContain(text);
    }
  });
});
