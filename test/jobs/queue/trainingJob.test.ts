import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JITTER } from '../../../lib/data/affine.ts';
import { readReferencedData } from '../../../lib/jobs/jobData.ts';
import { decodeJobResult, encodeJobResult } from '../../../lib/jobs/jobWire.ts';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import { runTrainingJob } from '../../../lib/jobs/runTrainingJob.ts';
import { JobPayloadError, parseJob, resolvedRecipe, type DataReference, type TrainingJob, type TrainingJobResult } from '../../../lib/jobs/trainingJob.ts';
import { trainModel, type TrainModelResult } from '../../../lib/jobs/trainModel.ts';
import { RECIPES } from '../../../lib/models/recipes.ts';
import { tempDir } from '../../helpers/files.ts';
import { useTestBackend } from '../../models/fixtures.ts';
import { outcomesOf, probeJobs, tinyDataReference, tinyTrainingJobs } from './fixtures.ts';

let dir: string;
let data: DataReference;
beforeAll(async () => {
  await useTestBackend();
  dir = await tempDir('training-job-');
  data = await tinyDataReference(join(dir, 'data'));
});

/** A job payload with one field changed (or removed, for undefined). */
function withField(job: TrainingJob, path: string[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(job)) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[path.at(-1)!];
  else target[path.at(-1)!] = value;
  return copy;
}

describe('a training job', () => {
  it('is JSON that passes its schema, and a payload that does not is one line naming the field', () => {
    const [job] = tinyTrainingJobs('r-test', data, 1);
    expect(parseJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    const deeper = withField(job, ['recipe', 'architecture'], { channels: [32, 64], convsPerBlock: 2, hidden: 256, dropout: 0.4 });
    expect(parseJob(deeper)).toEqual(deeper);
    const bent = withField(job, ['recipe', 'augment'], { ...DEFAULT_JITTER, maxElasticPx: 2, elasticGridPx: 6 });
    expect(parseJob(bent)).toEqual(bent);
    const refusals: Array<[unknown, RegExp]> = [
      [withField(job, ['recipe', 'epochs'], 0), /^job payload: field \/recipe\/epochs must be >= 1$/],
      [withField(job, ['recipe', 'architecture'], { channels: [] }), /^job payload: field \/recipe\/architecture\/channels must NOT have fewer than 1 items$/],
      [withField(job, ['recipe', 'architecture'], { depth: 3 }), /^job payload: field \/recipe\/architecture must NOT have additional properties \(depth\)$/],
      [withField(job, ['recipe', 'architecture'], { dropout: 1 }), /^job payload: field \/recipe\/architecture\/dropout must be < 1$/],
      [withField(job, ['recipe', 'augment'], { elasticGridPx: 0 }), /^job payload: field \/recipe\/augment\/elasticGridPx must be >= 1$/],
      [withField(job, ['seed'], undefined), /^job payload: field \/ must have required property 'seed'$/],
      [withField(job, ['command'], 'rm -rf /'), /^job payload: field \/ must NOT have additional properties \(command\)$/],
      [withField(job, ['data', 'train', 'path'], 'data/train.csv'), /^job payload: field \/data\/train\/path must match pattern/],
      [withField(job, ['data', 'train', 'sha256'], 'abc'), /^job payload: field \/data\/train\/sha256 must match pattern/],
      [withField(job, ['model'], 'resnet'), /^job payload: field \/model must be equal to one of the allowed values$/],
      [withField(job, ['id'], '12'), /^job payload: field \/id must match pattern/],
      [withField(job, ['version'], 2), /^job payload: field \/version must be equal to constant$/],
      ['not a job', /^job payload: field \/ must be object$/],
    ];
    for (const [payload, message] of refusals) {
      expect(() => parseJob(payload)).toThrow(JobPayloadError);
      expect(() => parseJob(payload)).toThrow(message);
    }
  });

  it('carries the whole recipe: what trainModel would use with the same overrides', () => {
    expect(resolvedRecipe('mlp')).toEqual(RECIPES.mlp);
    expect(resolvedRecipe('cnn', { epochs: 2, batchSize: 32 })).toEqual({ ...RECIPES.cnn, epochs: 2, batchSize: 32 });
    expect(resolvedRecipe('mlp', { augment: false }).augment).toBeUndefined();
    expect(resolvedRecipe('mlp', { recipe: { augment: undefined }, augment: true }).augment).toEqual(DEFAULT_JITTER);
  });

  it('trained in-process gives what trainModel gives with the same data, recipe and seed, and frees its tensors', async () => {
    const [job] = tinyTrainingJobs('r-test', data, 1, 2);
    const { data: datasets, answers } = await readReferencedData(data);
    const tensors = tf.memory().numTensors;
    const last = await lastValueFrom(runTrainingJob(job));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last.type).toBe('result');
    const result = (last as { result: TrainingJobResult }).result;
    const direct = (await lastValueFrom(trainModel({ model: 'mlp', data: datasets, answers, epochs: 2, batchSize: 64, seed: job.seed }))) as TrainModelResult;
    expect(Array.from(result.predictions.test.probabilities)).toEqual(Array.from(direct.predictions.test.probabilities));
    expect(result.metrics.valid).toEqual(direct.metrics.valid);
    expect(result.metrics.recipe).toEqual(direct.metrics.recipe);
    expect(Object.keys(result.modelFiles).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('comes back through JSON unchanged, and a result that does not fit its job is refused', async () => {
    const [job] = tinyTrainingJobs('r-test', data, 1);
    const last = await lastValueFrom(runTrainingJob(job));
    const result = (last as { result: TrainingJobResult }).result;
    const wire = JSON.parse(JSON.stringify(encodeJobResult(result))) as Record<string, unknown>;
    const back = decodeJobResult(wire, job) as TrainingJobResult;
    expect(back.predictions.valid).toEqual(result.predictions.valid);
    expect(back.predictions.test).toEqual(result.predictions.test);
    // (typed arrays of megabytes compare fast as buffers)
    expect(Object.keys(back.modelFiles)).toEqual(Object.keys(result.modelFiles));
    for (const name of Object.keys(result.modelFiles)) expect(Buffer.compare(back.modelFiles[name], result.modelFiles[name])).toBe(0);
    expect(back.metrics).toEqual(JSON.parse(JSON.stringify(result.metrics)));

    const [other] = tinyTrainingJobs('r-other', data, 1);
    expect(() => decodeJobResult(wire, other)).toThrow(`result of job ${other.id}: it is the result of train job ${job.id}`);
    const badFile = { ...wire, modelFiles: { '../evil': 'AAAA' } };
    expect(() => decodeJobResult(badFile, job)).toThrow(/result of job .*: field \/modelFiles must match/);
    const predictions = wire.predictions as { test: { probabilities: string } };
    const short = { ...wire, predictions: { ...predictions, test: { ...predictions.test, probabilities: 'AAAAAA==' } } };
    expect(() => decodeJobResult(short, job)).toThrow(/field \/predictions\/test: 50 ids, 50 labels and 1 probabilities for 10 classes do not match/);
  });
});

describe('the data of a job', () => {
  it('is read only from inside the data roots, links resolved', async () => {
    const root = join(dir, 'root');
    await mkdir(root);
    await symlink(data.train.path, join(root, 'train.csv'));
    const [probe] = probeJobs('r-roots', { ...data, train: { ...data.train, path: join(root, 'train.csv') } }, 1);
    const outside = new RegExp(`^${data.train.path}: outside the data roots \\(${root}\\); start the worker with --data-root naming its directory$`);
    // the link inside the root leads outside it
    await expect(lastValueFrom(runTrainingJob(probe, { dataRoots: [root] }))).rejects.toThrow(`${join(root, 'train.csv')}: outside the data roots`);
    await expect(lastValueFrom(runTrainingJob({ ...probe, data }, { dataRoots: [root] }))).rejects.toThrow(outside);
    const last = await lastValueFrom(runTrainingJob(probe, { dataRoots: [dir] }));
    expect(last.type === 'result' && last.result.kind === 'probe' && last.result.files.map((f) => f.bytes)).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('is refused when its content is not the one the job names', async () => {
    const copy = join(dir, 'changed.csv');
    const { readFile } = await import('node:fs/promises');
    await writeFile(copy, await readFile(data.train.path));
    await appendFile(copy, '\n');
    const [probe] = probeJobs('r-hash', { ...data, train: { ...data.train, path: copy } }, 1);
    await expect(lastValueFrom(runTrainingJob(probe))).rejects.toThrow(new RegExp(`^${copy}: content differs from the coordinator's \\(SHA-256 [0-9a-f]{12}… here, ${data.train.sha256.slice(0, 12)}… in the job\\)$`));
  });
});

describe('inProcessRunner', () => {
  it('tries a failing job `attempts` times, then reports its error; a payload failing the schema fails at once', async () => {
    const [good] = tinyTrainingJobs('r-runner', data, 1);
    const missing = { ...good, id: 'r-runner.member-2', index: 2, data: { ...data, test: { ...data.test, path: join(dir, 'nowhere.csv') } } };
    const invalid = { ...good, id: 'r-runner.member-3', index: 3, recipe: { ...good.recipe, epochs: -1 } };
    const outcomes = await outcomesOf(inProcessRunner({ attempts: 3 }).run([good, missing, invalid]));
    const ended = outcomes.filter((o) => o.type === 'done' || o.type === 'failed');
    expect(ended.map((o) => [o.job.id, o.type, o.type === 'failed' ? o.attempts : 0])).toEqual([
      [good.id, 'done', 0],
      [missing.id, 'failed', 3],
      [invalid.id, 'failed', 1],
    ]);
    const failure = (id: string) => ended.find((o) => o.job.id === id && o.type === 'failed') as { error: string };
    expect(failure(missing.id).error).toBe(`${join(dir, 'nowhere.csv')}: cannot read the job's data file here (ENOENT)`);
    expect(failure(invalid.id).error).toBe('job payload: field /recipe/epochs must be >= 1');
    expect(outcomes.filter((o) => o.type === 'started' && o.job.id === missing.id)).toHaveLength(3);
  });
});
