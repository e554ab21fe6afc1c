import type { Redis } from 'ioredis';
import { redisOptions, type RedisTarget } from './redisConnection.ts';

/**
 * Where queue workers leave job results for the coordinator: one Redis hash per job, a field per
 * attempt that finished (named by the attempt's lock token), expiring after the time results are
 * kept. A result of megabytes (probabilities, weights) goes here rather than into the job's return
 * value, which BullMQ also copies into its event stream, where it would stay until thousands more
 * events pushed it out; the return value names the field to read.
 */
export interface ResultStore {
  /** Stores the JSON of an attempt's result, kept `keepSeconds`. */
  put(jobId: string, attempt: string, json: string, keepSeconds: number): Promise<void>;
  /** The JSON an attempt stored, or undefined when it is gone (expired, discarded). */
  get(jobId: string, attempt: string): Promise<string | undefined>;
  /** Forgets every stored attempt of the job. */
  remove(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the result store of queue `queueName` at `target` (its own connection, closed by `close()`). */
export async function openResultStore(target: RedisTarget, queueName: string): Promise<ResultStore> {
  const { Redis: RedisClient } = await import('ioredis');
  const client: Redis = new RedisClient(redisOptions(target));
  // a dropped connection is retried by ioredis; commands wait for it
  client.on('error', () => {});
  const key = (jobId: string): string => `digit-flow:${queueName}:result:${jobId}`;
  return {
    put: async (jobId, attempt, json, keepSeconds) => {
      await client.multi().hset(key(jobId), attempt, json).expire(key(jobId), Math.max(1, Math.round(keepSeconds))).exec();
    },
    get: async (jobId, attempt) => (await client.hget(key(jobId), attempt)) ?? undefined,
    remove: async (jobId) => {
      await client.del(key(jobId));
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
