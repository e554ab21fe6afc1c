import type { TopLevelSpec } from 'vega-lite';
import { MNIST_FORMAT, type ImageFormat } from '../data/format.ts';
import { UserError } from '../errors.ts';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './base.ts';
import { modelColorScale } from './palette.ts';
import { formatWords } from './words.ts';

/**
 * One ensemble member's accuracy on its own.
 *
 * @example
 * const member: MemberAccuracy = { member: 2, accuracy: 0.9941, seed: 21742 };
 */
export interface MemberAccuracy {
  /** 1-based. */
  member: number;
  /** Share of the images it labels right, 0–1. */
  accuracy: number;
  /** Its seed, shown in the tooltip. */
  seed?: number;
}

/**
 * An ensemble's accuracy and each of its members' alone, all measured on the same images.
 *
 * @example
 * const cnn: EnsembleAccuracy = { model: 'cnn', accuracy: 0.9952, members: [{ member: 1, accuracy: 0.9936 }, { member: 2, accuracy: 0.9941 }] };
 */
export interface EnsembleAccuracy {
  model: string;
  /** Accuracy of the averaged probabilities, 0–1. */
  accuracy: number;
  members: readonly MemberAccuracy[];
}

/**
 * What {@link ensembleMembersChart} needs besides the accuracies.
 *
 * @example
 * const options: EnsembleChartOptions = { dataName: 'validation', format, models: ['mlp', 'cnn'] };
 */
export interface EnsembleChartOptions {
  /** The images the accuracies are measured on, as the subtitle names them (default 'test'). */
  dataName?: string;
  /** The data set's format: the subtitle says 'digits' for the ten digits, else 'images' (default the digits). */
  format?: ImageFormat;
  /** Every model of the report in order, so an ensemble keeps its colour from chart to chart (default: the ensembles' names). */
  models?: readonly string[];
}

/** Pixels per ensemble row: room for a handful of members on rows of their own. */
const ROW_STEP = 56;

interface Row {
  model: string;
  kind: 'member' | 'ensemble';
  accuracy: number;
  member?: number;
  seed?: number;
}

function checkEnsembles(ensembles: readonly EnsembleAccuracy[]): void {
  const seen = new Set<string>();
  const checkAccuracy = (accuracy: number, what: string) => {
    if (!(accuracy >= 0 && accuracy <= 1)) throw new UserError(`ensembleMembersChart: ${what} must be an accuracy in [0, 1], got ${accuracy}`);
  };
  for (const { model, accuracy, members } of ensembles) {
    if (seen.has(model)) throw new UserError(`ensembleMembersChart: model '${model}' is given twice`);
    seen.add(model);
    if (members.length === 0) throw new UserError(`ensembleMembersChart: ensemble '${model}' has no members`);
    checkAccuracy(accuracy, `the accuracy of '${model}'`);
    for (const m of members) checkAccuracy(m.accuracy, `the accuracy of '${model}' member ${m.member}`);
  }
}

/**
 * Each ensemble's members against the ensemble: one row per ensemble, a dot per member (on a line of
 * its own within the row, so equal accuracies stay apart) at its accuracy alone, and a bar, labelled,
 * at the accuracy of the members' averaged probabilities. A bar right of every dot is what averaging
 * gains over the best member. Colours follow `options.models`, as in the report's other charts.
 *
 * @example
 * const spec = ensembleMembersChart(
 *   [{ model: 'cnn', accuracy: 0.9952, members: [{ member: 1, accuracy: 0.9936 }, { member: 2, accuracy: 0.9941 }] }],
 *   { dataName: 'test', models: ['mlp', 'cnn'] },
 * );
 */
export function ensembleMembersChart(ensembles: readonly EnsembleAccuracy[], options: EnsembleChartOptions = {}): TopLevelSpec {
  checkEnsembles(ensembles);
  const { dataName = 'test', format = MNIST_FORMAT } = options;
  const names = ensembles.map((e) => e.model);
  const rows: Row[] = ensembles.flatMap(({ model, accuracy, members }) => [
    ...members.map((m): Row => ({ model, kind: 'member', accuracy: m.accuracy, member: m.member, ...(m.seed === undefined ? {} : { seed: m.seed }) })),
    { model, kind: 'ensemble', accuracy },
  ]);
  const only = (kind: Row['kind']) => [{ filter: { field: 'kind', equal: kind } }];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: ensembles.length === 1 ? `${names[0]}: the ensemble and its members` : 'Ensembles and their members',
      subtitle: `Accuracy on the ${dataName} ${formatWords(format).items}: a dot per member alone, the bar for their averaged probabilities`,
    },
    config: CHART_CONFIG,
    width: 420,
    // a fixed height: a step would be per member, the rows' sub-lines
    height: ROW_STEP * Math.max(1, ensembles.length),
    data: { values: rows },
    encoding: {
      y: { field: 'model', type: 'nominal', sort: names, title: null, axis: { labelFontSize: 12, labelFontWeight: 'bold', ticks: false, domain: false } },
      x: { field: 'accuracy', type: 'quantitative', title: `Accuracy (${dataName})`, scale: { zero: false, padding: 24 }, axis: { format: '.2%' } },
      color: { field: 'model', type: 'nominal', scale: modelColorScale(options.models ?? names), legend: null },
    },
    layer: [
      {
        transform: only('member'),
        mark: { type: 'circle', size: 70, opacity: 0.8 },
        encoding: {
          yOffset: { field: 'member', type: 'ordinal', scale: { paddingOuter: 0.5 } },
          tooltip: [
            { field: 'model', type: 'nominal', title: 'Model' },
            { field: 'member', type: 'ordinal', title: 'Member' },
            { field: 'seed', type: 'nominal', title: 'Seed' },
            { field: 'accuracy', type: 'quantitative', title: 'Accuracy', format: '.2%' },
          ],
        },
      },
      {
        transform: only('ensemble'),
        mark: { type: 'tick', thickness: 3, size: ROW_STEP - 16 },
        encoding: { tooltip: [{ field: 'model', type: 'nominal', title: 'Ensemble' }, { field: 'accuracy', type: 'quantitative', title: 'Accuracy', format: '.2%' }] },
      },
      {
        transform: [...only('ensemble'), { calculate: "'ensemble ' + format(datum.accuracy, '.2%')", as: 'label' }],
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -(ROW_STEP / 2 - 10), fontSize: 11, fontWeight: 'bold' },
        encoding: { text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}
