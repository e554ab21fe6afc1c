import { lastValueFrom } from 'rxjs';
import { selectBackend } from './lib/backend/selectBackend.ts';
import { readJobData } from './lib/jobs/inputs.ts';
import { silentReporter } from './lib/jobs/reporter.ts';
import { trainModel, type TrainModelResult } from './lib/jobs/trainModel.ts';
import { RECIPES } from './lib/models/recipes.ts';
await selectBackend({ backend: 'auto' });
const job = await readJobData({ seed: 20742 }, silentReporter());
for (const tta of [false]) {
  const r = (await lastValueFrom(trainModel({ model: 'cnn', data: job.data, answers: job.answers, seed: 20742, recipe: { epochs: 12, batchSize: 128, maxLearningRate: 4e-3, augment: { maxShiftPx: 2, maxRotateDeg: 10, maxZoom: 0.1 }, tta } }))) as TrainModelResult;
  console.log('tta', tta, 'valid', r.metrics.valid.accuracy, 'test', r.metrics.test?.accuracy, r.metrics.history.map((h) => h.validAccuracy));
}
