/**
 * A coordinator for the restart test, run as its own process so that it can be killed:
 * `node --import tsx coordinator.ts URL QUEUE JOBS.json` submits the jobs to the queue and prints one
 * JSON line per outcome (`{ type, id, worker }`), then exits when every job has one.
 */
import { readFile } from 'node:fs/promises';
import { queueRunner } from '../../../lib/jobs/runners/queueRunner.ts';
import type { JobSpec } from '../../../lib/jobs/trainingJob.ts';

const [url, queueName, jobsFile] = process.argv.slice(2);
const jobs = JSON.parse(await readFile(jobsFile, 'utf8')) as JobSpec[];
const runner = await queueRunner({ url, queueName, rescanSeconds: 1 });
runner.run(jobs).subscribe({
  next: (outcome) => {
    const worker = outcome.type === 'done' ? outcome.result.worker : undefined;
    process.stdout.write(`${JSON.stringify({ type: outcome.type, id: outcome.job.id, ...(worker ? { worker } : {}) })}\n`);
  },
  complete: () => void runner.close(),
});
