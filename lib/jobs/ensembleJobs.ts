import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import type { JobRunner } from './runners/jobRunner.ts';
import type { DataReference, TrainingJobResult } from './trainingJob.ts';
import { writeMetrics, type TrainModelFiles, type TrainModelResult } from './trainModel.ts';

/** How an ensemble's members train as jobs rather than one after another in this process. */
export interface EnsembleJobs {
  /** Where the member jobs run: `localRunner()`, `await queueRunner({ url })`, `inProcessRunner()`. */
  runner: JobRunner;
  /** The ensemble's data by reference (`dataReference`), as the workers read it: the same data as `data`. */
  data: DataReference;
  /** The run the jobs are filed under (default: derived from what they compute, so the same command resumes). */
  runId?: string;
  /**
   * A member that fails on its last attempt: 'fail' (default) fails the ensemble with that member's
   * error; 'skip' leaves it out and finishes with the members that succeeded (at least one).
   */
  onMemberFailure?: 'fail' | 'skip';
}

/** Emitted when a member of an ensemble trained as jobs failed on its last attempt and is left out (`onMemberFailure: 'skip'`). */
export interface EnsembleMemberFailedEvent {
  type: 'member-failed';
  /** 1-based. */
  member: number;
  members: number;
  seed: number;
  error: string;
  attempts: number;
}

/**
 * A training job's result as `trainModel` would have given it with `outDir`: the saved model's files
 * written into `dir/model-<stem>/` and its metrics as `dir/metrics-<stem>.json`.
 *
 * @example
 * const result = await saveJobResult(outcome.result, 'out/model-cnn', 'cnn-2'); // out/model-cnn/model-cnn-2/, out/model-cnn/metrics-cnn-2.json
 */
export async function saveJobResult(result: TrainingJobResult, dir: string, stem: string): Promise<TrainModelResult> {
  const files: TrainModelFiles = { metrics: join(dir, `metrics-${stem}.json`), model: join(dir, `model-${stem}`) };
  // names are checked when a result is decoded: plain file names, nothing with a '/'
  for (const [name, bytes] of Object.entries(result.modelFiles)) await writeFileAtomic(join(files.model, name), bytes);
  await writeMetrics(files.metrics, result.metrics);
  return { type: 'result', metrics: result.metrics, predictions: result.predictions, files };
}
