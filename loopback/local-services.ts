import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { freePort } from './free-port.js';
import { startReaper } from './reaper.js';
import { findOnPath, REDIS_INSTALL_HINT, ThrowawayRedis } from './throwaway-redis.js';

// The demo, the tests and the soak bring their own Postgres and Redis when none is there: a URL
// that is set wins, then a server answering on its usual port, then an embedded PostgreSQL (from
// npm) and a throwaway redis-server (from PATH) in a temp folder, stopped and removed at the end.
// The production processes never come here: they need DATABASE_URL and REDIS_URL.

/** A URL given by a variable (used as is, `from` names it in messages), or none (then look around). */
export interface ServiceChoice {
  url: string | undefined;
  from: string;
}

export interface LocalServices {
  /** The Postgres admin URL (a database of one's own is created through it), or null when not asked for. */
  readonly postgresUrl: string | null;
  readonly redisUrl: string | null;
  /** What was used, in one line: `Postgres: embedded 18.4 in /tmp/…; Redis: throwaway on port 41234`. */
  readonly summary: string;
  /** Stops what was started and removes its folder; a no-op for servers that were already there. */
  stop(): Promise<void>;
}

/** The usual addresses looked at, which a test can point elsewhere (at a closed port) to see the rest. */
export function usualPorts(env: NodeJS.ProcessEnv = process.env): { postgres: number; redis: number } {
  return { postgres: Number(env.STORYROOM_LOCAL_PG_PORT || 5432), redis: Number(env.STORYROOM_LOCAL_REDIS_PORT || 6379) };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    const fail = () => {
      socket.destroy();
      resolve(false);
    };
    socket.once('error', fail);
    socket.once('timeout', fail);
  });
}

async function assertAnswers(name: string, choice: ServiceChoice & { url: string }, defaultPort: number): Promise<void> {
  const url = new URL(choice.url);
  const port = Number(url.port || defaultPort);
  if (!(await answers(url.hostname, port)))
    throw new Error(
      `${name} is not reachable on ${url.hostname}:${port} (${choice.from}); start it, or unset ${choice.from} to have one started`,
    );
}

export async function startLocalServices(wanted: {
  postgres: ServiceChoice | false;
  redis: ServiceChoice | false;
}): Promise<LocalServices> {
  const ports = usualPorts();
  const lines: string[] = [];
  let postgresUrl: string | null = null;
  let redisUrl: string | null = null;
  let startPostgres = false;
  let startRedis = false;

  if (wanted.redis) {
    if (wanted.redis.url) {
      await assertAnswers('Redis', { ...wanted.redis, url: wanted.redis.url }, 6379);
      redisUrl = wanted.redis.url;
      lines.push(`Redis: ${wanted.redis.from}`);
    } else if (await answers('127.0.0.1', ports.redis)) {
      redisUrl = `redis://127.0.0.1:${ports.redis}`;
      lines.push(`Redis: the local server on 127.0.0.1:${ports.redis}`);
    } else if (!findOnPath('redis-server')) {
      // Said before anything is started.
      throw new Error(`Redis is not running on 127.0.0.1:${ports.redis} and redis-server is not installed: ${REDIS_INSTALL_HINT}`);
    } else startRedis = true;
  }
  if (wanted.postgres) {
    if (wanted.postgres.url) {
      await assertAnswers('PostgreSQL', { ...wanted.postgres, url: wanted.postgres.url }, 5432);
      postgresUrl = wanted.postgres.url;
      lines.unshift(`Postgres: ${wanted.postgres.from}`);
    } else if (await answers('127.0.0.1', ports.postgres)) {
      postgresUrl = `postgres://postgres@127.0.0.1:${ports.postgres}/postgres`;
      lines.unshift(`Postgres: the local server on 127.0.0.1:${ports.postgres}`);
    } else startPostgres = true;
  }
  if (!startPostgres && !startRedis) return { postgresUrl, redisUrl, summary: lines.join('; '), stop: () => Promise.resolve() };

  const folder = mkdtempSync(join(tmpdir(), 'storyroom-local-'));
  const reaper = startReaper(folder);
  let postgres: EmbeddedPostgres | null = null;
  let redis: ThrowawayRedis | null = null;
  const stop = async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
    rmSync(folder, { recursive: true, force: true });
    reaper.dismiss();
  };
  const started = await Promise.allSettled([
    startPostgres &&
      startEmbeddedPostgres(folder, { onSpawn: (pid) => reaper.watch(pid) }).then((server) => {
        postgres = server;
        postgresUrl = server.url;
        lines.unshift(`Postgres: embedded ${server.version} in ${server.dataDir}`);
      }),
    startRedis &&
      (async () => {
        const server = new ThrowawayRedis(await freePort(), { dir: folder, detached: true, onSpawn: (pid) => reaper.watch(pid) });
        redis = server;
        await server.start();
        redisUrl = server.url;
        lines.push(`Redis: throwaway on port ${server.port}`);
      })(),
  ]);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  let stopped: Promise<void> | null = null;
  return { postgresUrl, redisUrl, summary: lines.join('; '), stop: () => (stopped ??= stop()) };
}

/**
 * Runs `cleanup` once on SIGINT, SIGTERM or SIGHUP, then exits as the signal would have (128 + its
 * number). A second signal while it runs is ignored: the cleanup is what stops the servers.
 */
export function cleanUpOnSignals(cleanup: () => Promise<void>): void {
  let running = false;
  const codes = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const [signal, number] of Object.entries(codes)) {
    process.on(signal, () => {
      if (running) return;
      running = true;
      void cleanup()
        .catch(() => undefined)
        .finally(() => process.exit(128 + number));
    });
  }
}
