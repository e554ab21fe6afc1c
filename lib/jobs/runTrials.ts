import { filter, map, type Observable } from 'rxjs';
import type { ModelName } from '../models/createModel.ts';
import type { TrainingRecipe } from '../models/recipes.ts';
import type { ModelMetrics } from '../types.ts';
import type { JobDoneOutcome, JobFailedOutcome, JobOutcome, JobRunner } from './runners/jobRunner.ts';
import { runIdFor, trainingJobs, type DataReference, type TrainingJob } from './trainingJob.ts';

/** Options of {@link runTrials}. */
export interface TrialsOptions {
  model: ModelName;
  /** One trial per recipe, trained exactly as given (a recipe without `augment` trains without it). */
  recipes: readonly TrainingRecipe[];
  /** The seed every trial trains with, so that they differ by recipe alone. */
  seed: number;
  data: DataReference;
  runner: JobRunner;
  /** The run the trials are filed under (default: derived from what they compute, so the same search resumes). */
  runId?: string;
}

/** A trial that trained: its position in `recipes`, the recipe and what it scored. */
export interface TrialResult {
  type: 'trial';
  /** From 0: `recipes[trial]`. */
  trial: number;
  recipe: TrainingRecipe;
  metrics: ModelMetrics;
  /** `host:pid` of the process that trained it. */
  worker: string;
}

/** A trial that failed on its last attempt. */
export interface TrialFailure {
  type: 'trial-failed';
  trial: number;
  recipe: TrainingRecipe;
  error: string;
  attempts: number;
}

/**
 * A tuning search's trials as training jobs on a runner: one job per recipe, all with the same seed.
 * Emits each trial's result (or failure) as it finishes, in completion order; rank them with
 * {@link rankTrials}, whose order does not depend on it.
 *
 * @example
 * const results = await lastValueFrom(runTrials({ model: 'cnn', recipes, seed: 1, data, runner }).pipe(toArray()));
 * console.log(rankTrials(results)[0].recipe);
 */
export function runTrials(options: TrialsOptions): Observable<TrialResult | TrialFailure> {
  const { model, recipes, seed, data, runner } = options;
  // JSON has no undefined: a recipe field set to undefined is a field left out
  const members = recipes.map((recipe) => ({ seed, recipe: JSON.parse(JSON.stringify(recipe)) as TrainingRecipe }));
  const run = options.runId ?? runIdFor({ data, model, members, role: 'trial' });
  const jobs = trainingJobs({ run, data, model, role: 'trial', members });
  return runner.run(jobs).pipe(
    filter((outcome): outcome is JobDoneOutcome | JobFailedOutcome => outcome.type === 'done' || outcome.type === 'failed'),
    map((outcome: JobOutcome): TrialResult | TrialFailure => {
      const job = outcome.job as TrainingJob;
      const trial = job.index - 1;
      if (outcome.type === 'done' && outcome.result.kind === 'train') {
        return { type: 'trial', trial, recipe: recipes[trial], metrics: outcome.result.metrics, worker: outcome.result.worker };
      }
      const failure = outcome.type === 'failed' ? outcome : { error: `job ${job.id} returned a ${outcome.type} result`, attempts: 1 };
      return { type: 'trial-failed', trial, recipe: recipes[trial], error: failure.error, attempts: failure.attempts };
    }),
  );
}

/**
 * The trials that trained, best first: by validation accuracy, then by validation loss of the last
 * epoch, then by trial. The same ranking whatever order they finished in.
 */
export function rankTrials(results: ReadonlyArray<TrialResult | TrialFailure>): TrialResult[] {
  const lastLoss = (r: TrialResult): number => r.metrics.history.at(-1)?.validLoss ?? Infinity;
  return results
    .filter((r): r is TrialResult => r.type === 'trial')
    .sort((a, b) => b.metrics.valid.accuracy - a.metrics.valid.accuracy || lastLoss(a) - lastLoss(b) || a.trial - b.trial);
}
