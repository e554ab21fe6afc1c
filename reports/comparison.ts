import { comparisonTableChart, type ModelSummary } from '../lib/charts/comparisonTable.ts';
import { confusionMatricesChart } from '../lib/charts/confusion.ts';
import { imageGridChart } from '../lib/charts/digitGrid.ts';
import { disagreementChart } from '../lib/charts/disagreement.ts';
import { ensembleMembersChart, type EnsembleAccuracy } from '../lib/charts/ensembleMembers.ts';
import { misclassifiedChart } from '../lib/charts/misclassified.ts';
import { perClassChart } from '../lib/charts/perClass.ts';
import { trainingCurvesChart } from '../lib/charts/trainingCurves.ts';
import { formatWords, type FormatWords } from '../lib/charts/words.ts';
import type { Report, ReportChart, ReportSection } from '../lib/render/report.ts';
import type { EnsembleSummary, ModelMetrics } from '../lib/types.ts';
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

/** An accuracy as the report prints it: `99.52%`. */
function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function verdict(data: ComparisonData): string {
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

/** A model's metrics when it is an ensemble. */
type EnsembleMetrics = ModelMetrics & { ensemble: EnsembleSummary };

/** `n of N validation digits (x%)`, or `n test digits` when the total is unknown. */
function countOf(n: number, total: number | undefined, what: string, words: FormatWords): string {
  const noun = `${what} ${n === 1 ? words.item : words.items}`;
  if (total === undefined || total === 0) return `${n.toLocaleString('en-US')} ${noun}`;
  return `${n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${what} ${words.items} (${((100 * n) / total).toFixed(2)}%)`;
}

/** `0.12 points more than`, `0.05 points less than` or `the same as`: accuracy a against b. */
function gainWords(a: number, b: number): string {
  const points = (a - b) * 100;
  if (Math.abs(points) < 0.005) return 'the same as';
  return `${Math.abs(points).toFixed(2)} points ${points > 0 ? 'more' : 'less'} than`;
}

/** What one ensemble gains over its members, and how often they disagree. */
function ensembleWords(m: EnsembleMetrics, accuracy: EnsembleAccuracy, dataName: string, words: FormatWords): string {
  const members = accuracy.members.map((x) => x.accuracy);
  const best = Math.max(...members);
  const mean = members.reduce((sum, x) => sum + x, 0) / members.length;
  const { validDisagreements, testDisagreements } = m.ensemble;
  return (
    `${m.model} averages ${members.length} members: ${pct(accuracy.accuracy)} on the ${dataName} ${words.items}, ` +
    `${gainWords(accuracy.accuracy, best)} the best member (${pct(best)}) and ${gainWords(accuracy.accuracy, mean)} the mean member (${pct(mean)}). ` +
    `The members disagree on ${countOf(validDisagreements, m.valid.count, 'validation', words)} and on ` +
    `${countOf(testDisagreements, m.test?.count ?? m.testPredictions?.length, 'test', words)}.`
  );
}

function ensembleSection(data: ComparisonData): ReportSection | undefined {
  const ensembles = data.models.filter((m): m is EnsembleMetrics => m.ensemble !== undefined);
  if (ensembles.length === 0) return undefined;
  const words = formatWords(data.format);
  // held out when every ensemble and member has a test accuracy, else all on the validation split
  const onTest = data.dataName === 'test' && ensembles.every((m) => m.test && m.ensemble.members.every((x) => x.testAccuracy !== undefined));
  const dataName = onTest ? 'test' : 'validation';
  const accuracies = ensembles.map(
    (m): EnsembleAccuracy => ({
      model: m.model,
      accuracy: (onTest ? m.test! : m.valid).accuracy,
      members: m.ensemble.members.map((x) => ({ member: x.member, seed: x.seed, accuracy: onTest ? x.testAccuracy! : x.validAccuracy })),
    }),
  );
  return {
    id: 'ensembles',
    title: ensembles.length > 1 ? 'The ensembles' : 'The ensemble',
    paragraphs: [
      `An ensemble averages the class probabilities of members trained alike but for their seed (initial weights, order of the batches, jitter). ` +
        `Averaging can only change the answer on ${words.items} the members disagree on; what it gains over the best member is what the members' extra training time buys (differences in percentage points).`,
      ...ensembles.map((m, k) => ensembleWords(m, accuracies[k], dataName, words)),
    ],
    charts: [
      {
        name: 'ensemble-members',
        caption: `Each member's ${dataName} accuracy on its own (dots) and the ensemble's (bar).`,
        spec: ensembleMembersChart(accuracies, { dataName, format: data.format, models: data.models.map((m) => m.model) }),
      },
    ],
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
    ensembleSection(data),
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
