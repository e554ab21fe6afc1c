import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import { rankTrials, runTrials, type TrialResult } from '../../../lib/jobs/runTrials.ts';
import type { DataReference } from '../../../lib/jobs/trainingJob.ts';
import type { TrainingRecipe } from '../../../lib/models/recipes.ts';
import { tempDir } from '../../helpers/files.ts';
import { useTestBackend } from '../../models/fixtures.ts';
import { reversingRunner, tinyDataReference } from './fixtures.ts';

let data: DataReference;
beforeAll(async () => {
  await useTestBackend();
  const reference = await tinyDataReference(join(await tempDir('trials-'), 'data'));
  // a search predicts one test row: its score is the validation split's
  data = { ...reference, rows: { test: 1 } };
});

const recipes: TrainingRecipe[] = [1e-4, 3e-3, 1e-2].map((maxLearningRate) => ({ epochs: 1, batchSize: 64, maxLearningRate }));

describe('runTrials', () => {
  it('trains one job per recipe and ranks them the same whatever order they finish in', async () => {
    const inOrder = await lastValueFrom(runTrials({ model: 'mlp', recipes, seed: 4, data, runner: inProcessRunner() }).pipe(toArray()));
    const reversed = await lastValueFrom(runTrials({ model: 'mlp', recipes, seed: 4, data, runner: reversingRunner() }).pipe(toArray()));
    expect(inOrder.map((r) => r.trial)).toEqual([0, 1, 2]);
    expect(reversed.map((r) => r.trial)).toEqual([2, 1, 0]);
    const ranking = (results: typeof inOrder) => rankTrials(results).map((r) => [r.trial, r.metrics.valid.accuracy]);
    expect(ranking(reversed)).toEqual(ranking(inOrder));
    const [best] = rankTrials(inOrder);
    expect(best.recipe).toBe(recipes[best.trial]);
    expect((inOrder as TrialResult[]).every((r) => r.metrics.testPredictions?.length === 1)).toBe(true);
    // exactly the recipe: nothing of the MLP's default (its jitter, its label smoothing) added
    for (const result of inOrder as TrialResult[]) expect(result.metrics.recipe).toEqual(recipes[result.trial]);
  });
});
