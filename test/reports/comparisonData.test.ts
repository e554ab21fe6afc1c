import { describe, expect, it } from 'vitest';
import { comparisonData } from '../../reports/comparisonData.ts';
import { DigitDataset } from '../../lib/data/dataset.ts';
import { smallProject } from '../charts/fixtures.ts';

describe('comparisonData', () => {
  it('shows each model’s most confident test mistakes first, with their own pixels', () => {
    const { train, test, models } = smallProject();
    const data = comparisonData(models, { test, valid: train, limit: 5 });
    expect(data.dataName).toBe('test');
    for (const [k, gallery] of data.galleries.entries()) {
      expect(gallery.model).toBe(models[k].model);
      expect(gallery.total).toBe(models[k].test!.misclassified.length);
      expect(gallery.digits).toHaveLength(5);
      const confidences = gallery.digits.map((d) => d.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      expect(confidences[0]).toBe(Math.max(...models[k].test!.misclassified.map((m) => m.confidence)));
      for (const d of gallery.digits) {
        const row = test.ids.indexOf(d.id);
        expect(d.pixels).toEqual(Array.from(test.record(row).pixels));
      }
    }
  });

  it('lists the test digits the first two models disagree on, with both predictions and the true label', () => {
    const { train, test, models } = smallProject();
    const data = comparisonData(models, { test, valid: train, limit: 1000 });
    const [a, b] = models.map((m) => m.testPredictions!);
    const expected = a.flatMap((p, row) => (p === b[row] ? [] : [test.ids[row]]));
    expect(expected.length).toBeGreaterThan(0);
    expect(data.disagreements?.digits.map((d) => d.id)).toEqual(expected);
    for (const d of data.disagreements!.digits) {
      const row = test.ids.indexOf(d.id);
      expect(d.predictions).toEqual([a[row], b[row]]);
      expect(d.label).toBe(test.labels![row]);
    }
  });

  it('without test answers, falls back to validation mistakes and takes labels from the models’ mistake lists', () => {
    const { train, test, models } = smallProject({ testAnswers: false });
    expect(test.labelled).toBe(false);
    const data = comparisonData(models, { test, valid: train });
    expect(data.dataName).toBe('validation');
    const trainRow = (id: number) => train.ids.indexOf(id);
    for (const d of data.galleries[0].digits) expect(d.label).toBe(train.labels![trainRow(d.id)]);
    // nobody knows the truth of an unlabelled test digit
    expect(data.disagreements?.digits.every((d) => d.label === undefined)).toBe(true);
  });

  it('names the digit it cannot find pixels for', () => {
    const { train, models } = smallProject();
    const empty = new DigitDataset(new Uint8Array(0), new Int32Array(0));
    expect(() => comparisonData(models, { test: empty, valid: train })).toThrow(/test digit \d+ \(misclassified by mlp\) is not in the test dataset given/);
    expect(() => comparisonData(models, { valid: train })).toThrow(/option 'test' \(the test images\) is needed to draw mlp's mistakes/);
    expect(() => comparisonData([], {})).toThrow(/no model metrics given/);
  });
});
