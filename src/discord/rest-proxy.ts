import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { populateErrorResponse, populateSuccessfulResponse } from '@discordjs/proxy';
import { DefaultRestOptions, REST, RESTEvents, type RequestMethod, type RouteLike } from '@discordjs/rest';
import type { Logger } from '../logger.js';
import { SlidingWindowLimit } from './sliding-window-limit.js';

// One REST client for the whole bot. Discord's global limit (50 requests a second per bot token) and
// its per-route buckets are kept by the REST client that sends the requests; with one per process,
// N processes send up to N × 50 a second. Every bot shard and worker instead points its REST client at
// this proxy (DISCORD_REST_PROXY_URL), and the proxy's one @discordjs/rest client keeps the limits for
// all of them. It holds no token: each request carries its own Authorization header, passed on.

/**
 * Beside every answer: requests left in the proxy's current one-second global window when the request
 * arrived (45 when idle, 0 when saturated). A client that wants to spend less when the bot is busy
 * (a streamed draft's edit cadence) reads it from its REST client's response event.
 */
export const GLOBAL_REMAINING_HEADER = 'x-storyroom-global-remaining';

export interface RunningRestProxy {
  url: string;
  close(): Promise<void>;
}

/** What the proxy lets through each second: a margin under Discord's 50 for timing jitter. */
const GLOBAL_REQUESTS_PER_SECOND = 45;

/** How long Discord may take to answer a request once it is sent (@discordjs/rest's default). */
const REQUEST_TIMEOUT_MS = 15_000;

/** Interaction responses (the callback and webhook calls with the interaction's token) are exempt from the global limit. */
function isInteractionResponse(path: string): boolean {
  return /^\/api(?:\/v\d+)?\/(?:interactions|webhooks)\//.test(path);
}

export async function startRestProxy(
  options: { upstream: string | null; port: number; host: string },
  logger: Logger,
): Promise<RunningRestProxy> {
  const base = options.upstream ? { api: options.upstream } : {};
  // authPrefix is unused: every request's own Authorization header is forwarded as it came.
  // 45 a second, not Discord's 50: a request delayed on the way can land a little late, beside later ones.
  // The REST client's own global count (one-second windows of its own) is replaced by a sliding one,
  // taken as each request leaves: no second of Discord's, however it falls, sees more than 45.
  const globalLimit = new SlidingWindowLimit(GLOBAL_REQUESTS_PER_SECOND, 1_000, Date.now, (waitMs) =>
    logger.info({ client: 'limited', global: true, waitMs }, 'waiting for a Discord rate limit'),
  );
  const limited = new REST({
    version: '10',
    ...base,
    globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
    makeRequest: async (url, init) => {
      await globalLimit.take();
      // The client's timeout started before the wait for the limit: the request gets its own from here.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), REQUEST_TIMEOUT_MS);
      try {
        return await DefaultRestOptions.makeRequest(url, { ...init, signal: timeout.signal });
      } finally {
        clearTimeout(timer);
      }
    },
  });
  // Acknowledgements must never wait behind the workers' edits: a client of their own, unbound by the global count.
  const exempt = new REST({ version: '10', ...base, globalRequestsPerSecond: Number.MAX_SAFE_INTEGER });
  for (const [name, rest] of [
    ['limited', limited],
    ['interactions', exempt],
  ] as const) {
    rest.on(RESTEvents.RateLimited, (info) =>
      logger.info({ client: name, route: info.route, global: info.global, waitMs: info.timeToReset }, 'waiting for a Discord rate limit'),
    );
  }
  const forwardLimited = forwardTo(limited);
  const forwardExempt = forwardTo(exempt);
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
      return;
    }
    if (!path.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found: Discord API paths start with /api/"}');
      return;
    }
    const exemptCall = isInteractionResponse(path);
    res.setHeader(GLOBAL_REMAINING_HEADER, String(globalLimit.remaining()));
    (exemptCall ? forwardExempt : forwardLimited)(req, res).catch((error: unknown) => {
      logger.warn(
        { err: error, path: path.replace(/\/(interactions|webhooks)\/(\d+)\/[^/]+/, '/$1/$2/[token]') },
        'proxied request failed',
      );
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"message":"the REST proxy could not reach Discord","code":0}');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  logger.info({ url, upstream: options.upstream ?? 'https://discord.com/api' }, 'Discord REST proxy listening');
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      globalLimit.close();
      limited.clearHashSweeper();
      limited.clearHandlerSweeper();
      exempt.clearHashSweeper();
      exempt.clearHandlerSweeper();
    },
  };
}

/**
 * @discordjs/proxy's proxyRequests, with the request's body read whole first: it hands the REST client
 * the request stream, which a retry (after a 429 or a 5xx) would find already read, and send empty.
 */
function forwardTo(rest: REST): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const reason = req.headers['x-audit-log-reason'];
    if (typeof reason === 'string') headers['x-audit-log-reason'] = reason;
    try {
      const answer = await rest.queueRequest({
        fullRoute: url.pathname.replace(/^\/api(\/v\d+)?/, '') as RouteLike,
        // Any method is passed on: Discord answers one it does not know with 405.
        method: (req.method ?? 'GET') as RequestMethod,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks), passThroughBody: true } : {}),
        auth: false,
        query: url.searchParams,
        headers,
      });
      await populateSuccessfulResponse(res, answer);
    } catch (error) {
      if (!populateErrorResponse(res, error)) throw error;
    } finally {
      res.end();
    }
  };
}
