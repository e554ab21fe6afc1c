import { join } from 'node:path';
import { concat, defer, filter, Observable, of, tap } from 'rxjs';
import { UserError } from '../errors.ts';
import { createOutDir } from '../io/outDir.ts';
import type { ModelName } from '../models/createModel.ts';
import { averagePredictions, disagreementCount } from '../operators/averagePredictions.ts';
import type { EnsembleMember, ModelMetrics, TrainEvent } from '../types.ts';
import {
  scorePrediction,
  scoreTest,
  trainModel,
  writeMetrics,
  writeTestSubmission,
  type TrainModelFiles,
  type TrainModelOptions,
  type TrainModelResult,
} from './trainModel.ts';

/** Options of {@link trainEnsemble}: those of `trainModel` for a built-in model, and how many members. */
export interface TrainEnsembleOptions extends Omit<TrainModelOptions, 'model' | 'member'> {
  model: ModelName;
  /** Members, an integer >= 1; member k trains with seed `seed + 1000 * (k - 1)`, so member 1 is the single model. */
  members: number;
}

/** Emitted before each member of {@link trainEnsemble} starts training. */
export interface EnsembleMemberEvent {
  type: 'member';
  /** 1-based. */
  member: number;
  members: number;
  seed: number;
}

/** What {@link trainEnsemble} emits: per member a `member` event and its training events, then one `result`. */
export type EnsembleEvent = EnsembleMemberEvent | TrainEvent | TrainModelResult;

/** Seeds of members further apart than any seed + epoch or seed + layer a member derives from its own. */
const MEMBER_SEED_STRIDE = 1000;

/** The seed member `member` (from 1) of an ensemble trains with. */
export function memberSeed(seed: number, member: number): number {
  return seed + MEMBER_SEED_STRIDE * (member - 1);
}

/**
 * Trains `members` copies of a built-in model that differ only by seed (initial weights, shuffles,
 * augmentation, dropout), one after another, and averages their class probabilities. The ensemble's
 * validation (and, with answers, held-out) scores are those of the averaged probabilities; its metrics
 * list each member's accuracy and count the images the members disagree on.
 *
 * With `outDir`, it writes one `submission-<model>.csv` and `metrics-<model>.json` for the ensemble,
 * and each member's saved model and metrics under `model-<model>/` (`model-<model>-<k>/`,
 * `metrics-<model>-<k>.json`). An ensemble of one member is `trainModel`: the same events, files
 * and metrics, so callers can pass a recipe's member count without a special case.
 *
 * @example
 * trainEnsemble({ model: 'cnn', members: 3, data, outDir: 'out', seed: 1 }).subscribe((event) => {
 *   if (event.type === 'result') console.log(event.metrics.valid.accuracy, event.metrics.ensemble?.members);
 * });
 */
export function trainEnsemble(options: TrainEnsembleOptions): Observable<EnsembleEvent> {
  const { members, seed = 0, outDir } = options;
  if (!Number.isInteger(members) || members < 1) throw new UserError(`ensemble: members must be an integer >= 1, got ${members}`);
  if (members === 1) return trainModel(options);
  const results: TrainModelResult[] = [];
  const memberDir = outDir === undefined ? undefined : join(outDir, `model-${options.model}`);
  const trainMember = (member: number): Observable<EnsembleEvent> =>
    defer(() =>
      concat(
        of<EnsembleEvent>({ type: 'member', member, members, seed: memberSeed(seed, member) }),
        trainModel({ ...options, seed: memberSeed(seed, member), outDir: memberDir, member }).pipe(
          tap((event) => event.type === 'result' && results.push(event)),
          // the members' results are folded into the ensemble's, which is the one `result`
          filter((event): event is TrainEvent => event.type !== 'result'),
        ),
      ),
    );
  const finish = defer(async (): Promise<TrainModelResult> => combine(results, options));
  return concat(...Array.from({ length: members }, (_, k) => trainMember(k + 1)), finish);
}

/** The ensemble's result from its members': averaged predictions, summed timings, the members' scores. */
async function combine(results: readonly TrainModelResult[], options: TrainEnsembleOptions): Promise<TrainModelResult> {
  const first = results[0].metrics;
  const valid = averagePredictions(results.map((r) => r.predictions.valid));
  const test = averagePredictions(results.map((r) => r.predictions.test));
  const members = results.map(({ metrics }, k): EnsembleMember => ({
    member: k + 1,
    seed: metrics.seed ?? memberSeed(options.seed ?? 0, k + 1),
    validAccuracy: metrics.valid.accuracy,
    testAccuracy: metrics.test?.accuracy,
    trainSeconds: metrics.timings.trainSeconds,
  }));
  const sum = (pick: (m: ModelMetrics) => number): number => results.reduce((total, r) => total + pick(r.metrics), 0);
  const metrics: ModelMetrics = {
    ...first,
    parameters: sum((m) => m.parameters),
    seed: options.seed ?? 0,
    valid: scorePrediction(valid),
    test: options.answers ? scoreTest(test, options.answers) : undefined,
    timings: {
      trainSeconds: sum((m) => m.timings.trainSeconds),
      predictSeconds: sum((m) => m.timings.predictSeconds),
      samplesPerSec: sum((m) => m.timings.samplesPerSec) / results.length,
    },
    testPredictions: Array.from(test.labels),
    ensemble: {
      members,
      validDisagreements: disagreementCount(results.map((r) => r.predictions.valid)),
      testDisagreements: disagreementCount(results.map((r) => r.predictions.test)),
    },
  };
  const predictions = { valid, test };
  const { outDir } = options;
  if (outDir === undefined) return { type: 'result', metrics, predictions };
  await createOutDir(outDir);
  const files: TrainModelFiles = {
    submission: join(outDir, `submission-${first.model}.csv`),
    metrics: join(outDir, `metrics-${first.model}.json`),
    model: join(outDir, `model-${first.model}`),
  };
  await writeTestSubmission(files.submission!, test, options);
  await writeMetrics(files.metrics, metrics);
  return { type: 'result', metrics, predictions, files };
}
