import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { ProcessMetrics } from './metrics.js';
import { answerProbe, runReadinessChecks, type ReadinessChecks } from './probes.js';

export interface ApiDeps {
  db: Db;
  metrics: ProcessMetrics;
  config: Readonly<Config>;
  logger: Logger;
  /** Postgres, Redis and the gateway, for /readyz and /health. */
  readiness: ReadinessChecks;
}

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  // Constant time, so the token cannot be guessed a character at a time.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function route(deps: ApiDeps, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') throw new HttpError(405, 'read-only API: GET only');
  // Open, for load balancers and orchestrators: they say only whether the bot is alive and can work.
  if (await answerProbe(url.pathname, res, deps.readiness)) return;
  if (url.pathname === '/health') {
    // The older combined check, kept for existing monitors: the same as /readyz.
    const result = await runReadinessChecks(deps.readiness);
    send(res, result.ready ? 200 : 503, { status: result.ready ? 'ok' : 'degraded', ...result.checks });
    return;
  }
  if (!authorized(req.headers.authorization, token)) {
    res.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, 'a bearer token is required: Authorization: Bearer <HTTP_API_TOKEN>');
  }
  if (url.pathname === '/metrics') {
    const scrape = await deps.metrics.scrape();
    return send(res, 200, scrape.text, scrape.contentType);
  }
  // The read-only JSON API moved to the web process (src/web/api-routes.ts), which sees every shard's data.
  throw new HttpError(404, 'not found: the bot serves /metrics, /livez, /readyz and /health; the JSON API is served by the web process');
}

/** The bot's own HTTP server: liveness and readiness, and its Prometheus metrics behind the bearer token. */
export async function startHttpApi(deps: ApiDeps, http: NonNullable<Config['http']>): Promise<RunningApi> {
  const token = http.token;
  if (!token) throw new Error('HTTP_API_TOKEN is required when HTTP_PORT is set');
  const server = createServer((req, res) => {
    route(deps, token, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, { error: error.message });
      deps.logger.error({ err: error, url: req.url }, 'http api request failed');
      send(res, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(http.port, http.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${http.host}:${address.port}`;
  deps.logger.info({ url }, 'http api listening');
  return {
    server,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
