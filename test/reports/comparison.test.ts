import { describe, expect, it } from 'vitest';
import { buildComparisonReport } from '../../reports/comparison.ts';
import { comparisonData } from '../../reports/comparisonData.ts';
import { smallProject } from '../charts/fixtures.ts';

const chartNames = (report: ReturnType<typeof buildComparisonReport>) => report.sections.flatMap((s) => s.charts.map((c) => c.name));

describe('buildComparisonReport', () => {
  it('with two models: table, curves, confusion, per-class, one gallery each, disagreement', () => {
    const { train, test, models } = smallProject();
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    expect(chartNames(report)).toEqual([
      'comparison-table',
      'training-curves',
      'confusion',
      'per-class',
      'misclassified-1',
      'misclassified-2',
      'disagreement',
      'disagreement-digits',
    ]);
    const words = report.sections.flatMap((s) => s.paragraphs).join(' ');
    expect(words).toContain('cnn is the most accurate on the held-out test answers');
  });

  it('says how each model was trained, under the verdict', () => {
    const { train, test, models } = smallProject({ recipes: true });
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    const paragraphs = report.sections[0].paragraphs;
    expect(paragraphs).toContain('How each model was trained:');
    expect(paragraphs.slice(-2)).toEqual([
      expect.stringMatching(/^mlp: 5 epochs, batch 64, one-cycle to 4e-3 .*, seed 20742$/),
      expect.stringMatching(/^cnn: 5 epochs, batch 64, one-cycle to 4e-3 .*, seed 20742$/),
    ]);
  });

  it('with one model: no disagreement section', () => {
    const { train, test, models } = smallProject({ models: 1 });
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    expect(chartNames(report)).toEqual(['comparison-table', 'training-curves', 'confusion', 'per-class', 'misclassified-1']);
    expect(report.sections[0].title).toBe('The model');
  });

  it('without test predictions, leaves out the disagreement section', () => {
    const { train, test, models } = smallProject();
    const withoutPredictions = models.map(({ testPredictions: _, ...m }) => m);
    const report = buildComparisonReport(comparisonData(withoutPredictions, { test, valid: train }));
    expect(chartNames(report)).not.toContain('disagreement');
    expect(chartNames(report)).toContain('misclassified-2');
  });

  it('without test answers, says there is no held-out accuracy', () => {
    const { train, test, models } = smallProject({ testAnswers: false });
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    const words = report.sections.flatMap((s) => s.paragraphs).join(' ');
    expect(words).toContain('on the validation split (the test answers are unknown)');
    expect(words).toContain('there is no held-out accuracy');
  });
});
