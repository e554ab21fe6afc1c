import { isIP } from 'node:net';
import { UserError } from '../../errors.ts';

/** Where a queue's Redis is and how to log in, parsed from a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Database number (default 0). */
  db: number;
  /** `rediss://`: TLS, checked against the system's certificate authorities (and `NODE_EXTRA_CA_CERTS`). */
  tls: boolean;
  /** The URL with its password hidden, for messages and logs. */
  display: string;
}

/** The BullMQ queue coordinators and `digits worker` meet on unless told another. */
export const DEFAULT_QUEUE_NAME = 'digit-flow-training';

/** Seconds a command waits for Redis to answer its first connection before it gives up. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

const USAGE = 'redis://[user:password@]host[:port][/db], or rediss://... for TLS';

/**
 * Parses a queue URL: `redis://host:port`, with a password (`redis://:secret@host:port`, or user and
 * password), a database (`/2`), and `rediss://` for TLS. `what` names the value in errors (the CLI
 * passes `--queue`).
 *
 * @example
 * parseRedisUrl('rediss://:s3cret@redis.lan:6380/1'); // { host: 'redis.lan', port: 6380, db: 1, tls: true, display: 'rediss://:***@redis.lan:6380/1', ... }
 */
export function parseRedisUrl(url: string, what = 'queue URL'): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${what}: expected ${USAGE}, got '${redact(url)}'`);
  }
  const display = redact(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UserError(`${what}: expected ${USAGE}, got '${display}'`);
  if (!parsed.hostname) throw new UserError(`${what}: no host in '${display}' (expected ${USAGE})`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (!/^\d{0,2}$/.test(path)) throw new UserError(`${what}: the database must be a number (redis://host:port/2), got '/${path}' in '${display}'`);
  if (parsed.search || parsed.hash) throw new UserError(`${what}: no query or fragment expected in '${display}'`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: path === '' ? 0 : Number(path),
    tls: parsed.protocol === 'rediss:',
    display,
  };
}

/** `url` with the password, if any, replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** The connection options BullMQ and ioredis take for a {@link RedisTarget}. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername?: string };
  /** null: a command waits for a lost connection to come back rather than failing. */
  maxRetriesPerRequest: null;
}

/**
 * The ioredis options for `target`, as BullMQ takes them: commands wait for a lost connection to
 * come back (a worker outlives a Redis restart) instead of failing after a few tries.
 */
export function redisOptions(target: RedisTarget): RedisConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    // SNI takes a host name, never an address: the certificate is checked against the host either way
    ...(target.tls ? { tls: isIP(target.host) ? {} : { servername: target.host } } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * Connects to `target` once and asks for a PING, so that a wrong address, a refused password or a
 * Redis that does not answer is one line (naming the URL without its password) before any work,
 * rather than a command that waits for ever.
 */
export async function checkRedis(target: RedisTarget, timeoutSeconds = DEFAULT_CONNECT_TIMEOUT_SECONDS): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectTimeout: timeoutSeconds * 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // the socket's own error (ECONNREFUSED) comes as an event; connect() then only says the connection closed
  let socketError: unknown;
  client.on('error', (error: unknown) => (socketError ??= error));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UserError(`Redis at ${target.display} did not answer within ${timeoutSeconds} s`)), timeoutSeconds * 1000);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Redis at ${target.display}: ${describeRedisError(socketError ?? error)}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function describeRedisError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NOAUTH/.test(message)) return 'it needs a password: give it in the URL (redis://:PASSWORD@host:port)';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return 'it refused the user name or password in the URL';
  if (/ECONNREFUSED/.test(message)) return 'connection refused (is redis-server running there, on that port?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'unknown host';
  if (/certificate|CERT_|ERR_TLS/i.test(message)) return `its TLS certificate is not trusted here (${message.split('\n')[0]}); NODE_EXTRA_CA_CERTS=FILE adds a certificate authority`;
  if (/wrong version number|packet length too long/i.test(message)) return 'it does not speak TLS: use redis:// rather than rediss://';
  return `cannot connect (${message.split('\n')[0]})`;
}
