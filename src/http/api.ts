import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import type { Config } from '../config/config.js';
import { pingDatabase, type Db } from '../db/connection.js';
import { countTransitionsByEvent, sumAgentCallsByOutcome } from '../db/metrics.js';
import type { Logger } from '../logger.js';
import { getChapterPages, getNextPromptContext, getPageHistoryById, getPageStatus, listChapters } from '../services/api-service.js';
import { postgresImageStore } from '../render/image-store.js';
import { quantile, renderPrometheus, type BotMetrics, type MetricFamily } from './metrics.js';

export interface ApiDeps {
  db: Db;
  queue: Queue;
  metrics: BotMetrics;
  config: Readonly<Config>;
  logger: Logger;
  /** Whether the gateway connection is up, for /health. */
  discordReady: () => boolean;
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

const idParam = (text: string | undefined) => {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, 'ids are positive whole numbers');
  return id;
};

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function checks(deps: ApiDeps): Promise<{ database: boolean; redis: boolean; discord: boolean }> {
  // Probes must answer even when a service hangs rather than refuses: each check gets two seconds.
  const within = (promise: Promise<unknown>) =>
    Promise.race([promise.then(() => true, () => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref())]);
  const [database, redis] = await Promise.all([within(pingDatabase(deps.db)), within(deps.queue.getJobCounts('active'))]);
  return { database, redis, discord: deps.discordReady() };
}

async function metricsText(deps: ApiDeps): Promise<string> {
  const [transitions, agents, counts, completed] = await Promise.all([
    countTransitionsByEvent(deps.db),
    sumAgentCallsByOutcome(deps.db),
    deps.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
    deps.queue.getJobs(['completed'], 0, 199),
  ]);
  // Job latency: from being queued (after any delay it was given) to being finished, over the latest completed jobs.
  const latencies = completed
    .filter((job) => job.finishedOn !== undefined)
    .map((job) => ((job.finishedOn ?? 0) - job.timestamp - (job.delay ?? 0)) / 1000)
    .filter((seconds) => seconds >= 0)
    .sort((a, b) => a - b);
  const tokenSamples = agents.flatMap((row) =>
    (['prompt', 'cached', 'completion'] as const).map((kind) => ({ labels: { agent: row.agent, kind }, value: Number(row[kind] ?? 0) })),
  );
  const families: MetricFamily[] = [
    {
      name: 'storyroom_interactions_total',
      help: 'Interactions this bot process handled, by kind and outcome.',
      type: 'counter',
      samples: deps.metrics.interactionCounts().map((c) => ({ labels: { kind: c.kind, outcome: c.outcome }, value: c.count })),
    },
    { name: 'storyroom_page_transitions_total', help: 'Page state transitions recorded, by event.', type: 'counter', samples: transitions.map((t) => ({ labels: { event: t.event }, value: Number(t.n) })) },
    { name: 'storyroom_queue_jobs', help: 'Jobs in the BullMQ queue, by state.', type: 'gauge', samples: Object.entries(counts).map(([state, value]) => ({ labels: { state }, value })) },
    {
      name: 'storyroom_job_latency_seconds',
      help: 'Time from queued to finished of the latest completed jobs (up to 200).',
      type: 'summary',
      samples: [
        ...[0.5, 0.9, 0.99].map((q) => ({ labels: { quantile: String(q) }, value: quantile(latencies, q) })),
        { suffix: '_sum', value: latencies.reduce((a, b) => a + b, 0) },
        { suffix: '_count', value: latencies.length },
      ],
    },
    { name: 'storyroom_model_calls_total', help: 'Model calls, by agent and outcome.', type: 'counter', samples: agents.map((row) => ({ labels: { agent: row.agent, outcome: row.outcome }, value: Number(row.calls) })) },
    { name: 'storyroom_model_tokens_total', help: 'Model tokens by agent and kind (prompt, cached part of the prompt, completion).', type: 'counter', samples: tokenSamples },
    { name: 'storyroom_model_call_seconds_total', help: 'Time spent in model calls, by agent.', type: 'counter', samples: agents.map((row) => ({ labels: { agent: row.agent, outcome: row.outcome }, value: Number(row.latency ?? 0) / 1000 })) },
  ];
  return renderPrometheus(families);
}

async function route(deps: ApiDeps, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') throw new HttpError(405, 'read-only API: GET only');
  if (url.pathname === '/health') {
    // Open, for load balancers and orchestrators: says only whether the bot can work.
    const status = await checks(deps);
    const ok = status.database && status.redis && status.discord;
    send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', ...status });
    return;
  }
  if (!authorized(req.headers.authorization, token)) {
    res.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, 'a bearer token is required: Authorization: Bearer <HTTP_API_TOKEN>');
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const notFound = () => new HttpError(404, 'not found');
  if (url.pathname === '/metrics') return send(res, 200, await metricsText(deps), 'text/plain; version=0.0.4; charset=utf-8');
  if (parts[0] !== 'api') throw notFound();
  const budget = { totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget };
  switch (`${parts[1] ?? ''}/${parts.length}/${parts[3] ?? ''}`) {
    case 'images/3/': {
      // Rendered panels by content hash: the bytes never change, so they may be cached for good.
      const image = await postgresImageStore(deps.db).get(parts[2] ?? '');
      if (!image) throw notFound();
      res.writeHead(200, { 'content-type': image.contentType, 'content-length': image.bytes.length, 'cache-control': 'public, max-age=31536000, immutable' });
      res.end(image.bytes);
      return;
    }
    case 'chapters/2/':
      return send(res, 200, { chapters: await listChapters(deps.db, { guildId: url.searchParams.get('guild') }) });
    case 'chapters/4/pages': {
      const pages = await getChapterPages(deps.db, idParam(parts[2]));
      if (!pages) throw notFound();
      return send(res, 200, { pages });
    }
    case 'pages/3/': {
      const page = await getPageStatus(deps.db, idParam(parts[2]));
      if (!page) throw notFound();
      return send(res, 200, page);
    }
    case 'pages/4/history': {
      const versions = await getPageHistoryById(deps.db, idParam(parts[2]));
      if (!versions) throw notFound();
      return send(res, 200, { versions });
    }
    case 'pages/4/next-context': {
      const context = await getNextPromptContext(deps.db, idParam(parts[2]), budget);
      if (!context) throw notFound();
      return send(res, 200, context);
    }
  }
  throw notFound();
}

/** The bot's HTTP API: health, Prometheus metrics and read-only JSON. */
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
