import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../logger.js';
import { requireBearerToken } from './bearer-auth.js';
import type { ProcessMetrics } from './metrics.js';
import { addProbes, runReadinessChecks, type ReadinessChecks } from './probes.js';

export interface RunningOpsServer {
  url: string;
  close(): Promise<void>;
}

export interface OpsServerDeps {
  metrics: ProcessMetrics;
  /** Postgres, Redis and (for the bot) the gateway, for /readyz. */
  readiness: ReadinessChecks;
  logger: Logger;
  /** /metrics answers only with this bearer token (METRICS_TOKEN); null: open (the worker's, bound to a private address). */
  metricsToken: string | null;
  /** The bot also answers /health, the older combined check kept for existing monitors (the same as /readyz). */
  health: boolean;
}

const NO_STORE = { 'cache-control': 'no-store' };

/** What operators watch, and nothing else: /livez and /readyz open, /metrics behind its own token. */
export function createOpsApp(deps: OpsServerDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return c.json({ error: 'read-only: GET only' }, 405, NO_STORE);
  });
  addProbes(app, deps.readiness);
  if (deps.health) {
    app.get('/health', async (c) => {
      const result = await runReadinessChecks(deps.readiness);
      return c.json({ status: result.ready ? 'ok' : 'degraded', ...result.checks }, result.ready ? 200 : 503, NO_STORE);
    });
  }
  if (deps.metricsToken) app.use('/metrics', requireBearerToken(deps.metricsToken, 'METRICS_TOKEN'));
  app.get('/metrics', async (c) => {
    const scrape = await deps.metrics.scrape();
    return c.body(scrape.text, 200, { 'content-type': scrape.contentType, ...NO_STORE });
  });
  app.notFound((c) =>
    c.json(
      { error: 'not found: this process serves /metrics, /livez and /readyz; the JSON API is served by the web process' },
      404,
      NO_STORE,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.logger.error({ err: error, url: c.req.url }, 'ops http request failed');
    return c.json({ error: 'internal error' }, 500, NO_STORE);
  });
  return app;
}

/** The bot's and each worker's small HTTP server (HTTP_PORT, WORKER_METRICS_PORT). */
export async function startOpsServer(deps: OpsServerDeps, listen: { port: number; host: string }): Promise<RunningOpsServer> {
  const app = createOpsApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: listen.host, port: listen.port });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const url = `http://${listen.host}:${(server.address() as AddressInfo).port}`;
  deps.logger.info({ url }, 'metrics and probes listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
