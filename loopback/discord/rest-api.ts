import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureResponse, type Faults } from './faults.js';
import { HttpError } from './http-error.js';
import type { RestLimits } from './rest-limits.js';
import type { Route } from './routes/route.js';
import type { FailAnswer, JsonObject, RecordedCall, UploadedFile } from './types.js';
import type { World } from './world.js';

/** What a server without boosts may upload with one message, all files together. */
const UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** One REST call as it arrived, for recording. */
interface Arrival {
  method: string;
  url: URL;
  path: string;
  route: string;
  body: unknown;
  authorized: boolean;
  uploadedBytes: number;
}

/**
 * Discord's REST API over the routes: parses the body (JSON or multipart), checks the bot token,
 * applies injected failures, records every call and answers with the headers @discordjs/rest reads.
 */
export class RestApi {
  constructor(
    private readonly deps: {
      routes: Route[];
      faults: Faults;
      world: World;
      calls: RecordedCall[];
      botToken: string;
      baseUrl: string;
      limits: RestLimits;
    },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.deps.baseUrl);
    const attachment = /^\/attachments\/(\d+)\//.exec(url.pathname);
    if (req.method === 'GET' && attachment) return this.serveAttachment(res, attachment[1] as string);
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const method = req.method ?? 'GET';
    const authorized = req.headers.authorization === `Bot ${this.deps.botToken}`;
    // Counted as the request arrives, before its body is read (a busy server reads bodies late).
    const waitMs = authorized ? this.deps.limits.takeGlobal(this.deps.botToken, path) : null;
    const raw = await readBody(req);
    let body: JsonObject = {};
    let files: UploadedFile[] = [];
    try {
      ({ body, files } = await parseBody(req.headers['content-type'] ?? '', raw));
    } catch {
      return this.finish(res, { method, url, path, route: '(unparsed)', body: null, authorized: false, uploadedBytes: raw.length }, 400, {
        message: 'Invalid body',
        code: 50109,
      });
    }
    const match = this.deps.routes.map((r) => ({ r, m: r.method === method ? r.pattern.exec(path) : null })).find((x) => x.m);
    const uploadedBytes = files.reduce((sum, file) => sum + file.content.length, 0);
    const route = match?.r.name ?? path.replace(/\d{15,21}/g, ':id');
    const arrival: Arrival = { method, url, path, route, body, authorized, uploadedBytes };
    // Every process using the token shares its global limit: over it, Discord answers 429 with the global scope.
    if (waitMs !== null) return answerGlobalLimit(res, waitMs, (status, payload) => this.finish(res, arrival, status, payload));
    const failure = this.deps.faults.take(method, arrival.route);
    const answerFailure = (answer: FailAnswer) => {
      const { status, headers, payload } = failureResponse(answer);
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      this.finish(res, arrival, status, payload);
    };
    // A failure that did not land answers before anything happens; one that landed is carried out first.
    if (failure && !('landed' in failure && failure.landed)) return answerFailure(failure);
    if (!match?.m) return this.finish(res, arrival, 404, { message: '404: Not Found', code: 0 });
    if (match.r.auth && !authorized) return this.finish(res, arrival, 401, { message: '401: Unauthorized', code: 0 });
    if (uploadedBytes > UPLOAD_LIMIT_BYTES) return this.finish(res, arrival, 413, { message: 'Request entity too large', code: 40005 });
    try {
      const result = await match.r.handle({ params: match.m.slice(1), body, files, query: url.searchParams });
      await this.deps.faults.hold(method, arrival.route);
      if (failure) return answerFailure(failure);
      this.finish(res, arrival, result.status, result.body);
    } catch (error) {
      if (error instanceof HttpError) this.finish(res, arrival, error.status, { message: error.message, code: error.code });
      else this.finish(res, arrival, 500, { message: String(error), code: 0 });
    }
  }

  private serveAttachment(res: ServerResponse, id: string): void {
    const file = this.deps.world.findAttachment(id);
    if (!file) return send(res, 404, { message: 'Not Found', code: 0 });
    if (file.redirectTo) {
      res.writeHead(302, { location: file.redirectTo });
      res.end();
      return;
    }
    if (file.endless) {
      // Paced, so a client that reads it whole fills its memory slowly rather than at once.
      res.writeHead(200, { 'content-type': file.contentType });
      const timer = setInterval(() => res.write(file.content), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.content.length });
    res.end(file.content);
  }

  private finish(res: ServerResponse, arrival: Arrival, status: number, payload: unknown): void {
    this.deps.calls.push({
      method: arrival.method,
      path: arrival.path + arrival.url.search,
      route: arrival.route,
      body: arrival.body,
      status,
      at: Date.now(),
      authorized: arrival.authorized,
      uploadedBytes: arrival.uploadedBytes,
    });
    const scope = res.getHeader('x-ratelimit-scope');
    this.deps.limits.recordAnswer(status, typeof scope === 'string' ? scope : null);
    send(res, status, payload, arrival.route);
  }
}

function answerGlobalLimit(res: ServerResponse, waitMs: number, finish: (status: number, payload: unknown) => void): void {
  const seconds = waitMs / 1000;
  res.setHeader('retry-after', String(seconds));
  res.setHeader('x-ratelimit-global', 'true');
  res.setHeader('x-ratelimit-scope', 'global');
  finish(429, { message: 'You are being rate limited.', retry_after: seconds, global: true });
}

/** Answers with rate-limit headers on every response: the REST client keys its buckets on them. */
function send(res: ServerResponse, status: number, payload: unknown, bucket = 'global'): void {
  res.setHeader('x-ratelimit-limit', '50');
  if (!res.hasHeader('x-ratelimit-remaining')) res.setHeader('x-ratelimit-remaining', '49');
  if (!res.hasHeader('x-ratelimit-reset-after')) res.setHeader('x-ratelimit-reset-after', '1');
  res.setHeader('x-ratelimit-reset', String(Date.now() / 1000 + 1));
  res.setHeader('x-ratelimit-bucket', Buffer.from(bucket).toString('hex').slice(0, 32));
  if (status === 204 || payload === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON, or multipart with the JSON in payload_json and the rest as files (how attachments are sent). */
async function parseBody(contentType: string, raw: Buffer): Promise<{ body: JsonObject; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: {}, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    // undici deprecates formData() for servers because it buffers the whole body; the emulator only reads the bot's small test uploads.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let body: JsonObject = {};
    for (const [name, value] of form.entries()) {
      if (name === 'payload_json' && typeof value === 'string') body = JSON.parse(value) as JsonObject;
      else if (typeof value !== 'string') {
        const index = /^files\[(\d+)\]$/.exec(name)?.[1];
        files.push({ filename: value.name, content: Buffer.from(await value.arrayBuffer()), ...(index ? { index: Number(index) } : {}) });
      }
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')) as JsonObject, files: [] };
}
