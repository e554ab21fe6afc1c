/**
 * Training jobs on a real BullMQ queue: a redis-server of the test's own on a free loopback port, and
 * five `digits worker` processes from the built CLI that serve one queue for the whole file, so the
 * tests run in order: the second kills one worker mid-job, the four left serve the tests after it.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inProcessRunner } from '../../../lib/jobs/runners/inProcessRunner.ts';
import { queueRunner } from '../../../lib/jobs/runners/queueRunner.ts';
import { runnersSettled } from '../../../lib/jobs/runners/runnersSettled.ts';
import type { DataReference, TrainingJobResult } from '../../../lib/jobs/trainingJob.ts';
import { tempDir } from '../../helpers/files.ts';
import { describeRedis, selfSignedCertificate, startRedisServer, type RedisServer } from '../../helpers/redisServer.ts';
import { useTestBackend } from '../../models/fixtures.ts';
import { CLI, doneIds, outcomesOf, probeJobs, ROOT, tinyDataReference, tinyTrainingJobs } from './fixtures.ts';
import { firstEvent, jobDoneLines, killWorkers, startWorker, type WorkerProcess } from './workers.ts';

const QUEUE = 'digit-flow-test';
let redis: RedisServer;
let dataDir: string;
let data: DataReference;
const workers: WorkerProcess[] = [];
let queue: Queue;

describeRedis('training jobs on a BullMQ queue', () => {
  beforeAll(async () => {
    await useTestBackend();
    redis = await startRedisServer();
    dataDir = await tempDir('queue-data-');
    data = await tinyDataReference(dataDir);
    workers.push(...(await Promise.all([1, 2, 3, 4, 5].map(() => startWorker(redis.url, dataDir, ['--queue-name', QUEUE])))));
    queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
  });
  afterAll(async () => {
    await queue?.close();
    await killWorkers(workers);
    await redis?.stop();
  });

  it('refuses a bad URL, an unreachable or silent server and a wrong password, each in one line', async () => {
    await expect(queueRunner({ url: 'http://127.0.0.1:6379' })).rejects.toThrow(
      "queue URL: expected redis://[user:password@]host[:port][/db], or rediss://... for TLS, got 'http://127.0.0.1:6379'",
    );
    const closedPort = await unusedPort();
    await expect(queueRunner({ url: `redis://127.0.0.1:${closedPort}` })).rejects.toThrow(
      `Redis at redis://127.0.0.1:${closedPort}: connection refused (is redis-server running there, on that port?)`,
    );
    const silent = await silentServer();
    const started = performance.now();
    await expect(queueRunner({ url: `redis://127.0.0.1:${(silent.address() as { port: number }).port}`, connectTimeoutSeconds: 1 })).rejects.toThrow(/did not answer within 1 s$/);
    expect(performance.now() - started).toBeLessThan(5000);
    silent.close();

    const locked = await startRedisServer({ password: 's3cret' });
    try {
      const plain = locked.url.replace(':s3cret@', '');
      await expect(queueRunner({ url: plain })).rejects.toThrow(`Redis at ${plain}: it needs a password: give it in the URL (redis://:PASSWORD@host:port)`);
      await expect(queueRunner({ url: locked.url.replace('s3cret', 'wrong') })).rejects.toThrow(
        `Redis at redis://:***@127.0.0.1:${locked.port}: it refused the user name or password in the URL`,
      );
      await (await queueRunner({ url: locked.url })).close();
    } finally {
      await locked.stop();
    }

    // the CLI says the same in one line, without the password and without loading a backend
    const [cli, noScheme] = await Promise.all([runCli(['worker', '--queue', `redis://:s3cret@127.0.0.1:${closedPort}`]), runCli(['worker', '--queue', 'localhost:6379'])]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(`digits: Redis at redis://:***@127.0.0.1:${closedPort}: connection refused (is redis-server running there, on that port?)\n`);
    expect(noScheme.stderr).toBe(
      "digits: --queue: expected redis://[user:password@]host[:port][/db], or rediss://... for TLS, got 'localhost:6379'\n",
    );
  });

  it('speaks TLS with rediss://, and checks the server\'s certificate', async (context) => {
    const dir = await tempDir('redis-tls-');
    const certificate = selfSignedCertificate(dir);
    if (!certificate) return context.skip('no openssl to make a certificate with');
    const server = await startRedisServer({ tls: certificate });
    try {
      // this process does not trust the certificate
      await expect(queueRunner({ url: server.url })).rejects.toThrow(new RegExp(`^Redis at ${server.url}: its TLS certificate is not trusted here \\(self[- ]signed certificate\\)`));
      // a worker and a coordinator that do: a job goes through
      const trust = { NODE_EXTRA_CA_CERTS: certificate.cert };
      const worker = await startWorker(server.url, dataDir, [], trust);
      const file = join(dir, 'jobs.json');
      await writeFile(file, JSON.stringify(probeJobs('r-tls', data, 2)));
      try {
        const lines = await coordinator(file, { url: server.url, queue: 'digit-flow-training', env: trust }).stopped;
        expect(lines.filter((line) => line.type === 'done').map((line) => line.worker)).toEqual([worker.name, worker.name]);
      } finally {
        await killWorkers([worker]);
      }
    } finally {
      await server.stop();
    }
  });

  it('a worker killed mid-job: its job goes to another, every job is done once, with the in-process results', async () => {
    const jobs = tinyTrainingJobs('r-kill', data, 3, 3);
    const runner = await queueRunner({ url: redis.url, queueName: QUEUE });
    const run = outcomesOf(runner.run(jobs));
    // the first worker to finish an epoch is killed in the middle of its job
    const epoch = await firstEvent(workers, (event) => event.type === 'job-epoch');
    epoch.worker.kill('SIGKILL');
    const killedAt = performance.now();
    const outcomes = await run;
    await runner.close();
    workers.splice(workers.indexOf(epoch.worker), 1);
    expect(doneIds(outcomes).sort()).toEqual(jobs.map((job) => job.id));
    const taken = outcomes.find((o) => o.type === 'done' && o.job.id === epoch.event.jobId) as { result: TrainingJobResult };
    expect(workers.map((worker) => worker.name)).toContain(taken.result.worker);
    // nothing ran twice to completion: the killed worker finished nothing, the others each job once
    expect(epoch.worker.done()).toEqual([]);
    expect(await completions('r-kill.', jobs)).toEqual(jobs.map((job) => job.id));
    // within seconds of the kill (the lock of --stalled-after 2, then the next stalled check)
    const recovered = (performance.now() - killedAt) / 1000;
    expect(recovered).toBeLessThan(20);
    process.stderr.write(`queue kill test: every job done ${recovered.toFixed(1)} s after a worker was killed mid-job (--stalled-after 2)\n`);

    const here = await outcomesOf(inProcessRunner().run(jobs));
    for (const job of jobs) {
      const [queued, local] = [outcomes, here].map((list) => (list.find((o) => o.type === 'done' && o.job.id === job.id) as { result: TrainingJobResult }).result);
      expect(Array.from(queued.predictions.test.probabilities)).toEqual(Array.from(local.predictions.test.probabilities));
    }
  });

  it('retries a job that fails, then reports it with its error; never runs a payload that fails the schema', async () => {
    const [good] = tinyTrainingJobs('r-bad', data, 1);
    const changed = { ...data, train: { ...data.train, sha256: '0'.repeat(64) } };
    const bad = { ...good, id: 'r-bad.member-2', index: 2, data: changed };
    const runner = await queueRunner({ url: redis.url, queueName: QUEUE, attempts: 3, retryDelaySeconds: 0.1 });
    const outcomes = await outcomesOf(runner.run([good, bad]));
    const failed = outcomes.find((o) => o.type === 'failed');
    expect(doneIds(outcomes)).toEqual([good.id]);
    expect(failed).toMatchObject({ job: { id: bad.id }, attempts: 3 });
    expect(failed?.type === 'failed' && failed.error).toMatch(new RegExp(`^${data.train.path}: content differs from the coordinator's`));
    await runner.close();

    // a payload with a field the schema does not know, added past the coordinator
    await queue.add('train', { ...good, id: 'r-bad.member-3', index: 3, command: 'rm -rf /' }, { jobId: 'r-bad.member-3', attempts: 3 });
    const { event: refusal } = await firstEvent(workers, (event) => event.type === 'job-failed' && event.jobId === 'r-bad.member-3');
    expect(refusal).toMatchObject({ error: 'job payload: field / must NOT have additional properties (command)', final: true });
    expect(workers.some((worker) => worker.events.some((event) => event.type === 'job-started' && event.jobId === 'r-bad.member-3'))).toBe(false);
    const job = await queue.getJob('r-bad.member-3');
    expect([await job?.getState(), job?.attemptsMade]).toEqual(['failed', 1]);
  });

  it('a coordinator killed mid-run and started again resumes by its run id, without running finished jobs again', async () => {
    const jobs = tinyTrainingJobs('r-restart', data, 4, 3);
    const file = join(await tempDir('coordinator-'), 'jobs.json');
    await writeFile(file, JSON.stringify(jobs));
    const first = coordinator(file, { killAt: (line) => line.type === 'done' });
    const firstLines = await first.stopped;
    expect(firstLines.filter((line) => line.type === 'done')).toHaveLength(1);
    const second = await coordinator(file).stopped;
    expect(second.filter((line) => line.type === 'done').map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id));
    // the job done before the restart was taken from Redis: each job ran to completion once
    expect(await completions('r-restart.', jobs)).toEqual(jobs.map((job) => job.id));
    expect(second.filter((line) => line.type === 'started').map((line) => line.id)).not.toContain(firstLines.find((line) => line.type === 'done')!.id);
  });

  it('a cancelled coordinator takes its waiting jobs off the queue', async () => {
    const idle = 'digit-flow-idle';
    const runner = await queueRunner({ url: redis.url, queueName: idle });
    const subscription = runner.run(probeJobs('r-cancel', data, 5)).subscribe();
    const waiting = new Queue(idle, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      for (let tries = 0; (await waiting.getWaitingCount()) < 5; tries++) {
        expect(tries).toBeLessThan(200);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      subscription.unsubscribe();
      await runnersSettled();
      expect(await waiting.getJobCounts('waiting', 'active', 'completed')).toEqual({ waiting: 0, active: 0, completed: 0 });
    } finally {
      await waiting.close();
      await runner.close();
    }
  });

  it('takes 200 jobs through four workers with none lost and none run twice to completion', async () => {
    expect(workers).toHaveLength(4);
    const jobs = probeJobs('r-load', data, 200);
    const runner = await queueRunner({ url: redis.url, queueName: QUEUE });
    const started = performance.now();
    const outcomes = await outcomesOf(runner.run(jobs));
    const seconds = (performance.now() - started) / 1000;
    await runner.close();
    expect(doneIds(outcomes)).toHaveLength(200);
    expect(new Set(doneIds(outcomes)).size).toBe(200);
    expect(await completions('r-load.', jobs)).toEqual(jobs.map((job) => job.id).sort());
    for (const worker of workers) expect(worker.done().filter((id) => id.startsWith('r-load.')).length).toBeGreaterThan(0);
    process.stderr.write(`queue load test: 200 probe jobs through 4 workers in ${seconds.toFixed(1)} s (${(200 / seconds).toFixed(0)} jobs/s)\n`);
  });

  it('a worker stopped with Ctrl-C hands its running job back without using an attempt; another finishes it', async () => {
    const [job] = tinyTrainingJobs('r-handback', data, 1, 40);
    const runner = await queueRunner({ url: redis.url, queueName: QUEUE });
    const run = outcomesOf(runner.run([job]));
    const { worker: stopped } = await firstEvent(workers, (event) => event.type === 'job-epoch' && event.jobId === job.id);
    stopped.kill('SIGINT');
    expect((await stopped.exited).code).toBe(130);
    workers.splice(workers.indexOf(stopped), 1);
    expect(stopped.events.map((event) => event.type)).toContain('job-returned');
    const outcomes = await run;
    await runner.close();
    const done = outcomes.find((o) => o.type === 'done') as { result: TrainingJobResult } | undefined;
    expect(workers.map((worker) => worker.name)).toContain(done?.result.worker);
    expect((await queue.getJob(job.id))?.attemptsMade).toBe(1);
  });
});

/** The jobs of a run (ids starting with `prefix`) the live workers ran to completion, sorted: each once, if nothing ran twice. */
/** The ids of the jobs under `prefix` that workers ran to completion, sorted, once `expected` have printed theirs. */
async function completions(prefix: string, expected: ReadonlyArray<{ id: string }>): Promise<string[]> {
  await jobDoneLines(workers, expected.map((job) => job.id));
  return workers.flatMap((worker) => worker.done().filter((id) => id.startsWith(prefix))).sort();
}

/** A port no server listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts connections and never answers, like a firewalled or hung Redis. */
async function silentServer(): Promise<Server> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

interface CoordinatorLine {
  type: string;
  id: string;
  worker?: string;
}

/**
 * The test's coordinator process (coordinator.ts) on `jobsFile`, on this file's queue unless told
 * another; killed with SIGKILL at the first line `killAt` matches.
 */
function coordinator(
  jobsFile: string,
  options: { killAt?: (line: CoordinatorLine) => boolean; url?: string; queue?: string; env?: NodeJS.ProcessEnv } = {},
): { stopped: Promise<CoordinatorLine[]> } {
  const { killAt, url = redis.url, queue = QUEUE, env = {} } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'coordinator.ts'), url, queue, jobsFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines: CoordinatorLine[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const text of complete) {
      const line = JSON.parse(text) as CoordinatorLine;
      lines.push(line);
      if (killAt?.(line)) child.kill('SIGKILL');
    }
  });
  return { stopped: new Promise((resolve) => child.on('close', () => resolve(lines))) };
}
