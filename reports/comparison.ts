import { comparisonTableChart, type ModelSummary } from '../lib/charts/comparisonTable.ts';
import { confusionMatricesChart } from '../lib/charts/confusion.ts';
import { imageGridChart } from '../lib/charts/digitGrid.ts';
import { disagreementChart } from '../lib/charts/disagreement.ts';
import { misclassifiedChart } from '../lib/charts/misclassified.ts';
import { perClassChart } from '../lib/charts/perClass.ts';
import { trainingCurvesChart } from '../lib/charts/trainingCurves.ts';
import { formatWords } from '../lib/charts/words.ts';
import type { Report, ReportChart, ReportSection } from '../lib/render/report.ts';
import type { ModelMetrics } from '../lib/types.ts';
import { evaluationOf, type ComparisonData } from './comparisonData.ts';
import { reportTitle } from './eda.ts';
import { trainingWords } from './trainingWords.ts';

function summary(m: ModelMetrics): ModelSummary {
  return {
    model: m.model,
    backend: m.backend,
    parameters: m.parameters,
    epochs: m.epochs,
    validAccuracy: m.valid.accuracy,
    testAccuracy: m.test?.accuracy,
    trainSeconds: m.timings.trainSeconds,
    samplesPerSec: m.timings.samplesPerSec,
    predictSeconds: m.timings.predictSeconds,
  };
}

function verdict(data: ComparisonData): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const ranked = [...data.models].sort((x, y) => evaluationOf(y, data.dataName).accuracy - evaluationOf(x, data.dataName).accuracy);
  const best = ranked[0];
  const where = data.dataName === 'test' ? 'on the held-out test answers' : 'on the validation split (the test answers are unknown)';
  if (ranked.length === 1) return `${best.model} reaches ${pct(evaluationOf(best, data.dataName).accuracy)} accuracy ${where}.`;
  const runnerUp = ranked[1];
  const fastest = [...data.models].sort((x, y) => x.timings.trainSeconds - y.timings.trainSeconds)[0];
  // within 10% counts as the same training time: timings on a shared machine are noisy
  const speed =
    fastest.timings.trainSeconds >= 0.9 * best.timings.trainSeconds
      ? 'for about the same training time'
      : `but ${fastest.model} trained in ${fastest.timings.trainSeconds.toFixed(0)} s against ${best.timings.trainSeconds.toFixed(0)} s`;
  return `${best.model} is the most accurate ${where}: ${pct(evaluationOf(best, data.dataName).accuracy)} against ${pct(evaluationOf(runnerUp, data.dataName).accuracy)} for ${runnerUp.model}, ${speed}.`;
}

function disagreementSection(data: ComparisonData): ReportSection | undefined {
  const [first, second] = data.models;
  if (!data.disagreements || !first?.testPredictions || !second?.testPredictions) return undefined;
  const names = [first.model, second.model];
  const { format } = data;
  const words = formatWords(format);
  const Items = words.digits ? 'Digits' : 'Images';
  const charts: ReportChart[] = [
    {
      name: 'disagreement',
      caption: `Each cell counts the test ${words.items} ${first.model} labels as the row and ${second.model} as the column.`,
      spec: disagreementChart({ model: first.model, predictions: first.testPredictions }, { model: second.model, predictions: second.testPredictions }, 'test', format),
    },
  ];
  if (data.disagreements.digits.length > 0) {
    charts.push({
      name: words.digits ? 'disagreement-digits' : 'disagreement-images',
      caption: `The first test ${words.items} the models label differently, with each model’s answer (red when one is known to be wrong).`,
      spec: imageGridChart(
        data.disagreements.digits.map((d) => ({ ...d, predictions: d.predictions.map((label, k) => ({ model: names[k], label })) })),
        { title: `Test ${words.items} ${first.model} and ${second.model} disagree on`, format },
      ),
    });
  }
  return {
    id: 'disagreement',
    title: 'Where the models disagree',
    paragraphs: [
      `${Items} the two models label differently are the hard or ambiguous ones; when they agree, they are usually both right.`,
    ],
    charts,
  };
}

/**
 * The model-comparison sections: which model to trust, and why.
 *
 * @example
 * const sections = comparisonSections(comparisonData(metrics, { test, valid: train }));
 */
export function comparisonSections(data: ComparisonData): ReportSection[] {
  const names = data.models.map((m) => m.model);
  const { format } = data;
  const words = formatWords(format);
  const evaluations = data.models.map((m) => ({ model: m.model, evaluation: evaluationOf(m, data.dataName) }));
  const sections: Array<ReportSection | undefined> = [
    {
      id: 'models',
      title: data.models.length > 1 ? 'Which model to trust' : 'The model',
      paragraphs: [
        verdict(data),
        data.dataName === 'test'
          ? `Test accuracy is measured on ${words.items} no model saw during training or model selection.`
          : 'Without the test answers there is no held-out accuracy: validation accuracy is the best estimate, slightly optimistic if it was used for early stopping.',
        data.models.length > 1 ? 'How each model was trained:' : 'How it was trained:',
        ...data.models.map(trainingWords),
      ],
      charts: [{ name: 'comparison-table', caption: 'Accuracy, size, time and the backend each model ran on.', spec: comparisonTableChart(data.models.map(summary)) }],
    },
    {
      id: 'training',
      title: 'Training',
      paragraphs: ['A widening gap between training (solid) and validation (dashed) lines is overfitting; flat lines mean more epochs would not help.'],
      charts: [{ name: 'training-curves', caption: 'Loss and accuracy per epoch.', spec: trainingCurvesChart(data.models) }],
    },
    {
      id: 'errors',
      title: `Errors by ${words.kind}`,
      paragraphs: [`Computed on the ${data.dataName} ${words.items}. The diagonal holds the correct answers; the darker an off-diagonal cell, the more often that confusion happens.`],
      charts: [
        {
          name: 'confusion',
          caption: `Confusion matrices: row = true ${words.kind}, column = predicted ${words.kind}.`,
          spec: confusionMatricesChart(
            evaluations.map((e) => ({ model: e.model, confusion: e.evaluation.confusion })),
            data.dataName,
            format,
          ),
        },
        {
          name: 'per-class',
          caption: words.digits
            ? 'Precision: of the digits predicted as d, the share that are d. Recall: of the true d, the share found. F1: their harmonic mean.'
            : 'Precision: of the images predicted as class c, the share that are c. Recall: of the images of class c, the share found. F1: their harmonic mean.',
          spec: perClassChart(
            evaluations.map((e) => ({ model: e.model, perClass: e.evaluation.perClass })),
            data.dataName,
            format,
          ),
        },
      ],
    },
    {
      id: 'mistakes',
      title: 'Mistakes',
      paragraphs: [
        words.digits
          ? 'The mistakes a model makes with the highest confidence: some are sloppy writing a person would misread too, some are plain model errors.'
          : 'The mistakes a model makes with the highest confidence: some are images a person would hesitate over too, some are plain model errors.',
      ],
      charts: data.galleries.map((g) => ({
        name: `misclassified-${names.indexOf(g.model) + 1}`,
        caption: `${g.model} got ${g.total.toLocaleString('en-US')} ${data.dataName} ${words.items} wrong.`,
        spec: misclassifiedChart(g.model, names.indexOf(g.model), g.digits, data.dataName, g.total, format),
      })),
    },
    disagreementSection(data),
  ];
  return sections.filter((s): s is ReportSection => s !== undefined && s.charts.length > 0);
}

/**
 * The model-comparison report alone.
 *
 * @example
 * await writeReport('out', buildComparisonReport(comparisonData(metrics, { test, valid: train })));
 */
export function buildComparisonReport(data: ComparisonData): Report {
  return {
    title: reportTitle(data.format, ': comparing the models'),
    subtitle: data.models.map((m) => m.model).join(' vs '),
    sections: comparisonSections(data),
  };
}
