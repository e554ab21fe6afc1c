import { join } from 'node:path';
import { concat, concatMap, defer, filter, from, ignoreElements, Observable, of, tap, throwError } from 'rxjs';
import { UserError } from '../errors.ts';
import { createOutDir } from '../io/outDir.ts';
import type { ModelName } from '../models/createModel.ts';
import { isArchitectureList, memberRecipe } from '../models/recipes.ts';
import { scorePrediction } from '../operators/evaluate.ts';
import { averagePredictions, disagreementCount } from '../operators/averagePredictions.ts';
import type { EnsembleMember, ModelMetrics, TrainEvent } from '../types.ts';
import { saveJobResult, type EnsembleJobs, type EnsembleMemberFailedEvent } from './ensembleJobs.ts';
import type { JobOutcome } from './runners/jobRunner.ts';
import { resolvedRecipe, runIdFor, trainingJobs, type TrainingJob } from './trainingJob.ts';
import {
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
  /**
   * Train the members as jobs on a runner (local worker processes, a BullMQ queue, this process)
   * reading the data by reference, instead of one after another in this process; they finish in any
   * order, and the ensemble is the same. With it, an ensemble of one member is one job.
   */
  jobs?: EnsembleJobs;
}

/** Emitted before each member of {@link trainEnsemble} starts training. */
export interface EnsembleMemberEvent {
  type: 'member';
  /** 1-based. */
  member: number;
  members: number;
  seed: number;
}

/**
 * What {@link trainEnsemble} emits: per member a `member` event and its training events (members
 * trained as jobs: their epochs, and `member-failed` for one left out), then one `result`.
 */
export type EnsembleEvent = EnsembleMemberEvent | EnsembleMemberFailedEvent | TrainEvent | TrainModelResult;

/** A member's result, by member number. */
interface MemberResult {
  member: number;
  result: TrainModelResult;
}

/** Seeds of members further apart than any seed + epoch or seed + layer a member derives from its own. */
const MEMBER_SEED_STRIDE = 1000;

/** The seed member `member` (from 1) of an ensemble trains with. */
export function memberSeed(seed: number, member: number): number {
  return seed + MEMBER_SEED_STRIDE * (member - 1);
}

/**
 * Trains `members` copies of a built-in model that differ only by seed (initial weights, shuffles,
 * augmentation, dropout), one after another in this process or, with `jobs`, as jobs on a runner
 * (local worker processes, a BullMQ queue), and averages their class probabilities. The ensemble's
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
  const { members, outDir, jobs } = options;
  if (!Number.isInteger(members) || members < 1) throw new UserError(`ensemble: members must be an integer >= 1, got ${members}`);
  if (members === 1 && !jobs) return trainModel(options);
  const memberDir = outDir === undefined ? undefined : join(outDir, `model-${options.model}`);
  return jobs ? ensembleOfJobs(options, jobs, memberDir) : ensembleInProcess(options, memberDir);
}

/** The members one after another in this process, then their combination. */
function ensembleInProcess(options: TrainEnsembleOptions, memberDir: string | undefined): Observable<EnsembleEvent> {
  const { members, seed = 0 } = options;
  const results: MemberResult[] = [];
  const trainMember = (member: number): Observable<EnsembleEvent> =>
    defer(() =>
      concat(
        of<EnsembleEvent>({ type: 'member', member, members, seed: memberSeed(seed, member) }),
        trainModel({ ...options, seed: memberSeed(seed, member), outDir: memberDir, member }).pipe(
          tap((event) => event.type === 'result' && results.push({ member, result: event })),
          // the members' results are folded into the ensemble's, which is the one `result`
          filter((event): event is TrainEvent => event.type !== 'result'),
        ),
      ),
    );
  const finish = defer(async (): Promise<TrainModelResult> => combine(results, options));
  return concat(...Array.from({ length: members }, (_, k) => trainMember(k + 1)), finish);
}

/** The members as jobs on the runner, then their combination (or, of one member, the single model). */
function ensembleOfJobs(options: TrainEnsembleOptions, jobs: EnsembleJobs, memberDir: string | undefined): Observable<EnsembleEvent> {
  const { members, outDir } = options;
  return defer(() => {
    const specs = memberJobs(options, jobs);
    const results: MemberResult[] = [];
    const finish = defer(async (): Promise<TrainModelResult> => {
      if (results.length === 0) throw new UserError(`ensemble: no member of ${options.model} trained: every one failed`);
      const result = members === 1 ? await singleModel(results[0].result, options) : await combine(results, options);
      // stored: a queue need not keep them for a restart any more
      await jobs.runner.discard?.(specs);
      return result;
    });
    return concat(membersAsJobs(specs, options, jobs, members === 1 ? outDir : memberDir, results), finish);
  });
}

/** The members' training jobs: the whole recipe `trainModel` would use, one seed each. */
function memberJobs(options: TrainEnsembleOptions, jobs: EnsembleJobs): TrainingJob[] {
  const recipe = resolvedRecipe(options.model, options);
  const seeds = Array.from({ length: options.members }, (_, k) => memberSeed(options.seed ?? 0, k + 1));
  const run = jobs.runId ?? runIdFor({ data: jobs.data, model: options.model, recipe, seeds });
  // each job carries its own member's architecture, so a worker needs no list to pick from
  return trainingJobs({ run, data: jobs.data, model: options.model, role: 'member', members: seeds.map((seed, k) => ({ seed, recipe: memberRecipe(recipe, k + 1) })) });
}

/**
 * The members trained as jobs on the runner: their outcomes as ensemble events (a `member` event
 * when a member starts, or when its epochs follow another's), each result saved where `trainModel`
 * would have written it (in `dir`) and collected in `results`, in completion order.
 */
function membersAsJobs(
  specs: readonly TrainingJob[],
  options: TrainEnsembleOptions,
  jobs: EnsembleJobs,
  dir: string | undefined,
  results: MemberResult[],
): Observable<EnsembleEvent> {
  const { members } = options;
  let shown: number | undefined;
  return jobs.runner.run(specs).pipe(
    concatMap((outcome: JobOutcome): Observable<EnsembleEvent> => {
      const { index: member, seed } = outcome.job as TrainingJob;
      const announce: EnsembleMemberEvent[] = outcome.type === 'started' || shown !== member ? [{ type: 'member', member, members, seed }] : [];
      switch (outcome.type) {
        case 'started':
        case 'epoch':
          shown = member;
          return from<EnsembleEvent[]>([...announce, ...(outcome.type === 'epoch' ? [{ type: 'epoch' as const, ...outcome.stats }] : [])]);
        case 'done': {
          if (outcome.result.kind !== 'train') return throwError(() => new Error(`ensemble: job ${outcome.job.id} returned a ${outcome.result.kind} result`));
          const trained = outcome.result;
          const stem = members === 1 ? options.model : `${options.model}-${member}`;
          const saved = dir === undefined ? Promise.resolve<TrainModelResult>({ type: 'result', metrics: trained.metrics, predictions: trained.predictions }) : saveJobResult(trained, dir, stem);
          return from(saved).pipe(
            tap((result) => results.push({ member, result })),
            ignoreElements(),
          );
        }
        case 'failed':
          if (jobs.onMemberFailure === 'skip') return of<EnsembleEvent>({ type: 'member-failed', member, members, seed, error: outcome.error, attempts: outcome.attempts });
          return throwError(
            () => new UserError(`ensemble: ${options.model} member ${member} (seed ${seed}) failed after ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}: ${outcome.error}`),
          );
      }
    }),
  );
}

/** An ensemble of one member trained as a job: the single model, with its own submission. */
async function singleModel(result: TrainModelResult, options: TrainEnsembleOptions): Promise<TrainModelResult> {
  if (!result.files || options.outDir === undefined) return result;
  const submission = join(options.outDir, `submission-${options.model}.csv`);
  await writeTestSubmission(submission, result.predictions.test, options);
  return { ...result, files: { ...result.files, submission } };
}

/** The ensemble's result from its members': averaged predictions, summed timings, the members' scores. */
async function combine(byMember: readonly MemberResult[], options: TrainEnsembleOptions): Promise<TrainModelResult> {
  // in member order, whatever order they finished in: the average and every file are the same
  const sorted = [...byMember].sort((a, b) => a.member - b.member);
  const results = sorted.map((r) => r.result);
  const first = results[0].metrics;
  const valid = averagePredictions(results.map((r) => r.predictions.valid));
  const test = averagePredictions(results.map((r) => r.predictions.test));
  const members = results.map(({ metrics }, k): EnsembleMember => ({
    member: sorted[k].member,
    seed: metrics.seed ?? memberSeed(options.seed ?? 0, sorted[k].member),
    validAccuracy: metrics.valid.accuracy,
    testAccuracy: metrics.test?.accuracy,
    trainSeconds: metrics.timings.trainSeconds,
  }));
  const sum = (pick: (m: ModelMetrics) => number): number => results.reduce((total, r) => total + pick(r.metrics), 0);
  // members record their own architecture; the ensemble records the list they took turns from
  const { architecture } = resolvedRecipe(options.model, options);
  const metrics: ModelMetrics = {
    ...first,
    ...(first.recipe && isArchitectureList(architecture) ? { recipe: { ...first.recipe, architecture } } : {}),
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
