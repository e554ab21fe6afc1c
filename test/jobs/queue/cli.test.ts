/**
 * `digits run --ensemble 4 --queue redis://...` with two `digits worker` processes, one of them killed
 * mid-job, against the same run on local worker processes: the same submission, every member once.
 */
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KaggleFiles } from '../../../lib/io/kaggleDefault.ts';
import type { ModelMetrics } from '../../../lib/types.ts';
import { tempDir } from '../../helpers/files.ts';
import { writeKaggleCsvs } from '../../helpers/kaggleCsvs.ts';
import { describeRedis, startRedisServer, type RedisServer } from '../../helpers/redisServer.ts';
import { CLI, ROOT } from './fixtures.ts';
import { firstEvent, jobDoneLines, killWorkers, startWorker, type WorkerProcess } from './workers.ts';

let redis: RedisServer;
let dataDir: string;
let files: KaggleFiles;
let workers: WorkerProcess[] = [];

describeRedis('digits run --queue', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    dataDir = await tempDir('queue-cli-');
    files = await writeKaggleCsvs(dataDir, 400, 100);
  });
  afterAll(async () => {
    await killWorkers(workers);
    await redis?.stop();
  });

  const run = (out: string, extra: string[] = []): string[] =>
    [CLI, 'run', '--quick', '--quiet', '--models', 'mlp', '--ensemble', '4', '--epochs', '2', '--rows', '1', '--train', files.train, '--test', files.test, '--out', out, ...extra];

  it('with two workers, one killed mid-job, writes the submission of the local run, every member counted once', async () => {
    const local = join(dataDir, 'local');
    const queued = join(dataDir, 'queued');
    const exec = promisify(execFile);
    const [, started] = await Promise.all([
      exec(process.execPath, run(local), { cwd: ROOT }),
      Promise.all([startWorker(redis.url, dataDir), startWorker(redis.url, dataDir)]),
    ]);
    workers = started;
    const coordinator = spawn(process.execPath, run(queued, ['--queue', redis.url]), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    coordinator.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => coordinator.on('close', resolve));
    const { worker: killed, event } = await firstEvent(workers, (e) => e.type === 'job-epoch');
    killed.kill('SIGKILL');
    expect(await exited, stderr).toBe(0);
    const survivor = workers.find((worker) => worker !== killed)!;

    expect(await readFile(join(queued, 'submission-mlp.csv'), 'utf8')).toBe(await readFile(join(local, 'submission-mlp.csv'), 'utf8'));
    const metrics = JSON.parse(await readFile(join(queued, 'metrics-mlp.json'), 'utf8')) as ModelMetrics;
    expect(metrics.ensemble?.members.map((m) => [m.member, m.seed])).toEqual([
      [1, 20742],
      [2, 21742],
      [3, 22742],
      [4, 23742],
    ]);
    expect((await readdir(join(queued, 'model-mlp'))).filter((name) => name.startsWith('model-')).sort()).toEqual(['model-mlp-1', 'model-mlp-2', 'model-mlp-3', 'model-mlp-4']);
    // the killed worker's job was finished by the other; each member ran to completion once
    const members = [1, 2, 3, 4].map((k) => `${event.jobId!.split('.')[0]}.member-${k}`);
    await jobDoneLines([killed, survivor], members);
    expect(killed.done()).not.toContain(event.jobId);
    expect([...killed.done(), ...survivor.done()].sort()).toEqual(members);
    // the run's jobs and results were taken out of Redis once stored, and no result went through
    // BullMQ's event stream (which keeps thousands of events)
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const queue = new Queue('digit-flow-training', { connection: { host: '127.0.0.1', port: redis.port } });
    const client = new Redis({ host: '127.0.0.1', port: redis.port });
    try {
      expect(await queue.getJobCounts('completed', 'waiting', 'active', 'failed')).toEqual({ completed: 0, waiting: 0, active: 0, failed: 0 });
      expect(await client.keys('digit-flow:*')).toEqual([]);
      const events = await client.xrange('bull:digit-flow-training:events', '-', '+');
      expect(events.length).toBeGreaterThan(0);
      expect(Math.max(...events.map(([, fields]) => fields.join('').length))).toBeLessThan(2000);
    } finally {
      client.disconnect();
      await queue.close();
    }
  }, 180_000);
});
