import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

/** A redis-server of a test's own: loopback only, a free port, a temporary directory, nothing saved. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:PORT` (with the password, when one was set). */
  url: string;
  stop(): Promise<void>;
}

/** How to enable the queue tests, printed once when they are skipped. */
const REDIS_HINT = 'queue tests skipped: no redis-server on PATH (apt-get install redis-server); REQUIRE_REDIS=1 turns this into a failure';

function redisServerPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A describe block that needs a redis-server: skipped with one line on stderr where there is none,
 * unless REQUIRE_REDIS=1 (as `.ci/run` sets), where the missing server is a failure.
 */
export function describeRedis(title: string, body: () => void): void {
  const missing = redisServerPath() === undefined;
  if (missing && process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but ${REDIS_HINT.replace('queue tests skipped: ', '')}`);
  if (missing) process.stderr.write(`${REDIS_HINT}\n`);
  describe.skipIf(missing)(missing ? `${title} (skipped: no redis-server)` : title, body);
}

/**
 * A self-signed certificate for 127.0.0.1 made with `openssl` in `dir` (undefined where there is no
 * openssl), for a TLS redis-server.
 */
export function selfSignedCertificate(dir: string): { cert: string; key: string } | undefined {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
      stdio: 'ignore',
    });
    return { cert, key };
  } catch {
    return undefined;
  }
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port, in a temporary directory, without persistence
 * (`--save '' --appendonly no`), and resolves once it accepts connections. `stop()` ends it and
 * removes the directory.
 */
export async function startRedisServer(options: { password?: string; tls?: { cert: string; key: string } } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'digit-flow-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
    if (options.password) args.push('--requirepass', options.password);
    // TLS only: no plain port
    if (options.tls) args.splice(0, 2, '--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await untilListening(child, port);
    if (ready === true) {
      const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
      return {
        port,
        url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
        stop: async () => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    // another process took the port between our check and the server's start
    if (attempt === 5) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${ready}`);
    }
  }
}

/** true once the server answers on `port`, or the reason it exited. */
async function untilListening(child: ChildProcess, port: number): Promise<true | string> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let tries = 0; tries < 200; tries++) {
    if (exited) return output.trim() || 'exited';
    if (await answers(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  return 'no answer within 5 s';
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
