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

  it('has an ensemble section exactly when a model is an ensemble', () => {
    const { train, test, models } = smallProject({ ensemble: true });
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    expect(report.sections.map((s) => s.id)).toEqual(['models', 'ensembles', 'training', 'errors', 'mistakes', 'disagreement']);
    expect(chartNames(report).filter((name) => name.startsWith('ensemble'))).toEqual(['ensemble-members']);
    const section = report.sections[1];
    expect(section.title).toBe('The ensemble');
    const cnn = models[1];
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    // members 0.1, 0.2 and 0.3 points below the ensemble: the best 0.1 and the mean 0.2 points below
    expect(section.paragraphs[1]).toBe(
      `cnn averages 3 members: ${pct(cnn.test!.accuracy)} on the test digits, 0.10 points more than the best member (${pct(cnn.test!.accuracy - 0.001)}) ` +
        `and 0.20 points more than the mean member (${pct(cnn.test!.accuracy - 0.002)}). ` +
        'The members disagree on 7 of 50 validation digits (14.00%) and on 11 of 120 test digits (9.17%).',
    );
    for (const plain of [smallProject(), smallProject({ recipes: true })]) {
      const without = buildComparisonReport(comparisonData(plain.models, { test: plain.test, valid: plain.train }));
      expect(without.sections.map((s) => s.id)).not.toContain('ensembles');
      expect(chartNames(without)).not.toContain('ensemble-members');
    }
  });

  it('without test answers, compares an ensemble with its members on the validation split', () => {
    const { train, test, models } = smallProject({ ensemble: true, testAnswers: false });
    const report = buildComparisonReport(comparisonData(models, { test, valid: train }));
    const section = report.sections.find((s) => s.id === 'ensembles')!;
    expect(section.paragraphs[1]).toMatch(/^cnn averages 3 members: [\d.]+% on the validation digits, .* and on 11 of 120 test digits \(9\.17%\)\.$/);
    expect(section.charts[0].caption).toBe("Each member's validation accuracy on its own (dots) and the ensemble's (bar).");
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
