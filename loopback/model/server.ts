import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import type { RecordedRequest, Responder, ScriptedReply } from './types.js';
import { estimateTokens, PrefixCache } from './usage.js';

export type { RecordedRequest, Responder, ScriptedReply } from './types.js';

const contentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();
const requestSchema = z
  .object({
    model: z.string().min(1),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
          })
          .passthrough(),
      )
      .min(1),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    response_format: z
      .object({ type: z.string(), json_schema: z.object({ name: z.string() }).passthrough().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A loopback OpenAI-compatible server for tests, the demo and the benchmark: chat completions with
 * JSON and SSE streaming, usage figures with a simulated prefix cache, scripted answers and faults.
 */
export class ModelServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private readonly cache = new PrefixCache();
  private readonly sockets = new Set<Socket>();
  private replyCount = 0;

  private constructor(
    private readonly server: http.Server,
    readonly baseURL: string,
    private responder: Responder,
    private latencyMs: number,
  ) {}

  static async start(options: { latencyMs?: number; responder?: Responder } = {}): Promise<ModelServer> {
    let instance: ModelServer | null = null;
    const server = http.createServer((req, res) => {
      if (instance) void instance.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new ModelServer(server, `http://127.0.0.1:${port}/v1`, options.responder ?? defaultResponder, options.latencyMs ?? 0);
    server.on('connection', (socket) => {
      instance?.sockets.add(socket);
      socket.on('close', () => instance?.sockets.delete(socket));
    });
    return instance;
  }

  enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  async waitForRequests(count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} model requests, got ${this.requests.length}`);
      await sleep(10);
    }
    return this.requests.slice(0, count);
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.cache.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        sendJson(res, 200, {
          object: 'list',
          data: ['loopback-narrator', 'loopback-dialogue', 'gpt-4o-mini'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'loopback' })),
        });
        return;
      }
      if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
        sendError(res, 404, 'not_found', `No route ${req.method ?? ''} ${url.pathname}`);
        return;
      }
      const raw = await readBody(req);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        sendError(res, 400, 'invalid_request_error', 'The body is not valid JSON.');
        return;
      }
      const parsed = requestSchema.safeParse(json);
      if (!parsed.success) {
        sendError(res, 400, 'invalid_request_error', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        return;
      }
      const body = parsed.data;
      const messages = body.messages.map((m) => ({
        role: m.role,
        content: typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? m.content.map((p) => p.text ?? '').join('') : '',
      }));
      const recorded: RecordedRequest = {
        at: Date.now(),
        body: json as Record<string, unknown>,
        model: body.model,
        stream: body.stream === true,
        responseFormatName: body.response_format?.type === 'json_schema' ? (body.response_format.json_schema?.name ?? null) : null,
        messages,
        promptText: messages.map((m) => m.content).join('\n'),
        headers: req.headers,
      };
      this.requests.push(recorded);
      const reply = await this.replyFor(recorded);
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      if (reply.delayMs) await sleep(reply.delayMs);
      if (res.destroyed) return;
      await this.answer(recorded, reply, body.stream_options?.include_usage === true, res);
    } catch (error) {
      if (!res.headersSent) sendError(res, 500, 'server_error', error instanceof Error ? error.message : String(error));
      else res.end();
    }
  }

  private async replyFor(request: RecordedRequest): Promise<ScriptedReply> {
    const index = this.queue.findIndex((reply) => !reply.when || reply.when(request));
    if (index >= 0) return this.queue.splice(index, 1)[0] as ScriptedReply;
    return this.responder(request);
  }

  private async answer(request: RecordedRequest, reply: ScriptedReply, includeUsage: boolean, res: ServerResponse): Promise<void> {
    switch (reply.fault) {
      case 'hang_up':
        res.socket?.destroy();
        return;
      case 'rate_limit': {
        const ms = reply.retryAfterMs ?? 1000;
        res.setHeader('retry-after-ms', String(ms));
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
        sendError(res, 429, 'rate_limit_exceeded', 'Rate limit reached for requests (loopback).');
        return;
      }
      case 'server_error':
        sendError(res, 500, 'server_error', 'The server had an error while processing your request (loopback).');
        return;
      default:
        break;
    }
    this.replyCount += 1;
    const refusal = reply.fault === 'refusal' ? (reply.refusal ?? 'I can’t help with that.') : null;
    let content: string | null;
    if (refusal) content = null;
    else if (reply.fault === 'malformed_json') content = '{"panels": [ {"panel": 1, "caption": "cut off';
    else if (reply.json !== undefined) content = JSON.stringify(reply.json);
    else content = reply.content ?? (request.responseFormatName ? '{}' : `Loopback reply ${this.replyCount} to ${request.model}`);
    let finishReason = 'stop';
    if (reply.fault === 'length') {
      finishReason = 'length';
      content = (content ?? '').slice(0, Math.max(1, Math.floor((content ?? '').length / 2)));
    }
    const promptText = request.messages.map((m) => `${m.role}\n${m.content}`).join('\n\n');
    const promptTokens = reply.usage?.prompt_tokens ?? estimateTokens(promptText);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: reply.usage?.completion_tokens ?? estimateTokens(content ?? refusal ?? ''),
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: reply.usage?.cached_tokens ?? this.cache.cachedTokens(request.model, promptText) },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-loopback-${randomBytes(6).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);

    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal }, finish_reason: finishReason, logprobs: null }],
        usage,
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const pieces = refusal ? [refusal] : (reply.chunks ?? splitIntoPieces(content ?? ''));
    for (const piece of pieces) {
      if (res.destroyed) return;
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      res.write(chunk(refusal ? { refusal: piece } : { content: piece }, null));
    }
    res.write(chunk({}, finishReason));
    if (includeUsage) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }
}

const defaultResponder: Responder = () => ({});

function splitIntoPieces(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 8) pieces.push(text.slice(i, i + 8));
  return pieces;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { error: { message, type, param: null, code: type } });
}
