import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { splitIntoPieces, writeCompletionStream } from './sse.js';
import {
  chatCompletionRequestSchema,
  type ChatCompletionRequestBody,
  type ModelServerOptions,
  type MultipleChoices,
  type RecordedRequest,
  type Responder,
  type ScriptedChoice,
  type ScriptedReply,
} from './types.js';
import { buildUsage, estimateTokens, PrefixCache } from './usage.js';

export type { ChatCompletionRequestBody, ModelServerOptions, MultipleChoices, RecordedRequest, Responder, ScriptedReply } from './types.js';

export const LOOPBACK_MODELS = ['gpt-4o-mini', 'loopback-narrator', 'loopback-dialogue'] as const;
const DEFAULT_REFUSAL = 'I’m sorry, I can’t help with that.';
/** What the malformed_json fault sends: a JSON answer cut off mid-string. */
const MALFORMED_JSON = '{"panels": [{"panel": 1, "caption": "cut off';

/**
 * A loopback OpenAI-compatible server (node:http on 127.0.0.1, a free port) for the tests, the demo
 * and the benchmark: POST /v1/chat/completions as JSON or SSE, GET /v1/models, usage figures with a
 * simulated prefix cache (see usage.ts), and scripted answers and faults.
 *
 * Each request takes the first queued reply whose `when` accepts it, else the responder's reply.
 * The default responder answers "Loopback reply N to <model>" (N: the request's number since start
 * or reset()), or `{}` for a response_format json_schema request; so does any reply that has neither
 * content, json nor chunks. Structured answers are not validated against the request's schema.
 */
export class ModelServer {
  /** Every well-formed chat completion request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private readonly cache = new PrefixCache();
  private readonly inFlight = new Set<AbortController>();
  private readonly waiters = new Set<() => void>();
  private requestNumber = 0;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
    private responder: Responder,
    private latencyMs: number,
    private multipleChoices: MultipleChoices,
  ) {}

  static async start(options: ModelServerOptions = {}): Promise<ModelServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const instance = new ModelServer(
      server,
      `http://127.0.0.1:${port}/v1`,
      options.responder ?? answerWithDefaults,
      options.latencyMs ?? 0,
      options.multipleChoices ?? 'supported',
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void instance.handle(req, res));
    return instance;
  }

  /** Queues replies, used first-in first-out before the responder. */
  enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  setMultipleChoices(mode: MultipleChoices): void {
    this.multipleChoices = mode;
  }

  /** Resolves with the first `count` recorded requests once that many have arrived. */
  waitForRequests(count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.requests.length < count) return;
        stop();
        resolve(this.requests.slice(0, count));
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`expected ${count} model requests within ${timeoutMs} ms, got ${this.requests.length}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Forgets queued replies, recorded requests and the prefix cache; keeps responder and latency. */
  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.requestNumber = 0;
    this.cache.clear();
  }

  /** Stops listening and drops every connection, streams and pending delays included. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve, reject) => {
      for (const request of this.inFlight) request.abort();
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Aborted when the client goes away or the server closes: ends delays and streams early.
    const inFlight = new AbortController();
    const { signal } = inFlight;
    this.inFlight.add(inFlight);
    res.on('close', () => {
      this.inFlight.delete(inFlight);
      inFlight.abort();
    });
    try {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
      if (req.method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, {
          object: 'list',
          data: LOOPBACK_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'loopback' })),
        });
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        await this.completeChat(req, res, signal);
      } else {
        sendError(res, 404, {
          type: 'invalid_request_error',
          code: 'unknown_url',
          message: `Unknown request URL: ${req.method ?? ''} ${path}.`,
        });
      }
    } catch (error) {
      if (signal.aborted || res.headersSent) res.destroy();
      else sendError(res, 500, { type: 'server_error', message: `Loopback model server failed: ${String(error)}` });
    }
  }

  private async completeChat(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      sendError(res, 400, { type: 'invalid_request_error', message: 'We could not parse the JSON body of your request.' });
      return;
    }
    const parsed = chatCompletionRequestSchema.safeParse(json);
    if (!parsed.success) {
      const [first] = parsed.error.issues;
      sendError(res, 400, {
        type: 'invalid_request_error',
        param: first && first.path.length > 0 ? first.path.join('.') : null,
        message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
      });
      return;
    }
    const request = this.record(parsed.data, req);
    const number = this.requestNumber;
    const reply = await this.replyFor(request);
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal });
    if (reply.delayMs !== undefined && reply.delayMs > 0) await sleep(reply.delayMs, undefined, { signal });
    await this.answer(request, reply, number, res, signal);
  }

  private record(body: ChatCompletionRequestBody, req: IncomingMessage): RecordedRequest {
    const messages = body.messages.map((message) => ({
      role: message.role,
      content:
        typeof message.content === 'string'
          ? message.content
          : Array.isArray(message.content)
            ? message.content.map((part) => part.text ?? '').join('')
            : '',
    }));
    const request: RecordedRequest = {
      at: Date.now(),
      body,
      model: body.model,
      stream: body.stream === true,
      n: body.n ?? 1,
      responseFormatName: body.response_format?.type === 'json_schema' ? (body.response_format.json_schema?.name ?? null) : null,
      messages,
      promptText: messages.map((message) => message.content).join('\n'),
      headers: req.headers,
    };
    this.requestNumber += 1;
    this.requests.push(request);
    for (const waiter of [...this.waiters]) waiter();
    return request;
  }

  private async replyFor(request: RecordedRequest): Promise<ScriptedReply> {
    const index = this.queue.findIndex((reply) => reply.when === undefined || reply.when(request));
    const [queued] = index >= 0 ? this.queue.splice(index, 1) : [];
    return queued ?? (await this.responder(request));
  }

  private async answer(
    request: RecordedRequest,
    reply: ScriptedReply,
    number: number,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    switch (reply.fault) {
      case 'hang_up':
        res.destroy();
        return;
      case 'rate_limit': {
        const retryAfterMs = reply.retryAfterMs ?? 1000;
        res.setHeader('retry-after-ms', String(retryAfterMs));
        res.setHeader('retry-after', String(Math.ceil(retryAfterMs / 1000)));
        sendError(res, 429, {
          type: 'requests',
          code: 'rate_limit_exceeded',
          message: `Rate limit reached for ${request.model} (loopback). Please try again in ${retryAfterMs}ms.`,
        });
        return;
      }
      case 'server_error':
        sendError(res, 500, { type: 'server_error', message: 'The server had an error while processing your request (loopback).' });
        return;
      default:
        break;
    }

    if (request.n > 1 && this.multipleChoices === 'refused') {
      sendError(res, 500, { type: 'server_error', message: 'Only one completion choice is allowed' });
      return;
    }
    const choiceCount = this.multipleChoices === 'supported' ? request.n : 1;
    const choices = Array.from({ length: choiceCount }, (_, index) => this.choiceOf(request, reply, number, index));
    const promptTokens = estimateTokens(request.promptText);
    // The prompt is counted once however many choices come back; the output of every choice is counted.
    const usage = buildUsage(
      {
        promptTokens,
        completionTokens: choices.reduce((sum, choice) => sum + estimateTokens(choice.content ?? choice.refusal ?? ''), 0),
        cachedTokens: this.cache.cachedTokens(request.model, request.messages, promptTokens),
      },
      reply.usage,
    );
    const id = `chatcmpl-loopback-${number}-${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    res.setHeader('x-request-id', `req_loopback_${number}`);

    if (request.stream) {
      await writeCompletionStream(
        res,
        {
          id,
          created,
          model: request.model,
          choices: choices.map((choice) => ({
            kind: choice.refusal !== null ? 'refusal' : 'content',
            pieces: choice.refusal !== null ? splitIntoPieces(choice.refusal) : (choice.chunks ?? splitIntoPieces(choice.content ?? '')),
            finishReason: choice.truncated ? 'length' : 'stop',
          })),
          usage: request.body.stream_options?.include_usage === true ? usage : null,
          chunkDelayMs: reply.chunkDelayMs ?? 0,
        },
        signal,
      );
      return;
    }
    const completion: ChatCompletion = {
      id,
      object: 'chat.completion',
      created,
      model: request.model,
      choices: choices.map((choice, index) => ({
        index,
        message: { role: 'assistant', content: choice.content, refusal: choice.refusal },
        finish_reason: choice.truncated ? 'length' : 'stop',
        logprobs: null,
      })),
      usage,
    };
    sendJson(res, 200, completion);
  }

  /** Choice `index` of an answer: the reply itself for the first choice of a one-choice answer, else its `choices` entry. */
  private choiceOf(request: RecordedRequest, reply: ScriptedReply, number: number, index: number): AnsweredChoice {
    const several = request.n > 1 && this.multipleChoices === 'supported';
    const scripted: ScriptedChoice | undefined = several ? reply.choices?.[index] : undefined;
    const fault = several
      ? (scripted?.fault ?? (reply.fault === 'refusal' || reply.fault === 'length' ? reply.fault : undefined))
      : reply.fault;
    if (fault === 'refusal') return { content: null, refusal: reply.refusal ?? DEFAULT_REFUSAL, truncated: false, chunks: null };
    // Unscripted choices after the first differ by a suffix (not a JSON answer, which must stay readable).
    const base = contentOf(request, reply, number);
    let content = scripted?.content ?? (index > 0 && reply.json === undefined ? `${base} (choice ${index + 1})` : base);
    let truncated = false;
    if (fault === 'length') {
      const characters = [...content];
      content = characters.slice(0, Math.max(1, Math.floor(characters.length / 2))).join('');
      truncated = true;
    }
    const chunks = !several && !truncated && reply.chunks ? reply.chunks : null;
    return { content, refusal: null, truncated, chunks };
  }
}

interface AnsweredChoice {
  content: string | null;
  refusal: string | null;
  truncated: boolean;
  /** The reply's own streaming chunks, kept for a one-choice answer. */
  chunks: string[] | null;
}

/** The default responder: an empty reply, which the server fills with its default text. */
const answerWithDefaults: Responder = () => ({});

function contentOf(request: RecordedRequest, reply: ScriptedReply, number: number): string {
  if (reply.fault === 'malformed_json') return MALFORMED_JSON;
  if (reply.json !== undefined) return JSON.stringify(reply.json);
  if (reply.content !== undefined) return reply.content;
  if (reply.chunks) return reply.chunks.join('');
  return request.responseFormatName !== null ? '{}' : `Loopback reply ${number} to ${request.model}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error in OpenAI's shape, which the SDK turns into its status-specific error class. */
function sendError(
  res: ServerResponse,
  status: number,
  error: { type: string; message: string; code?: string; param?: string | null },
): void {
  sendJson(res, status, { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } });
}
