import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import * as z from 'zod';
import type { ComfyWorkflow } from '../domain/comfyui-workflow.js';
import type { DeclaredNode } from '../domain/workflow-nodes-check.js';
import { readCapped } from './capped-body.js';
import { ComfyBadResponseError, ComfyUnreachableError, ComfyValidationError, describeValidationError } from './comfyui-errors.js';

// One client per worker process: one client_id and one WebSocket for every render, routed by prompt_id
// (a socket per render loses completions of queued prompts). We send our own prompt_id, so messages that
// beat the POST reply are already ours (race 1). Results are read from /history only after
// `executing {node: null}`, which follows the history write; `execution_success` does not (race 2).
// Without a socket, /history and /queue are polled.
// A ComfyUI is not trusted with the worker's memory or network: every body is read under a byte cap
// (Content-Length first, then counted as it streams), redirects are refused, and a socket whose
// handshake does not finish in time is given up for a while (renders poll meanwhile).

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: string;
}
export interface RenderProgress {
  /** Sampler steps, when a sampler is running. */
  step: { value: number; max: number } | null;
  /** Prompts ComfyUI will run before this one; 0 once it runs. */
  ahead: number;
}
export type RenderOutcome =
  | { kind: 'done'; images: ImageRef[] }
  | { kind: 'error'; nodeId: string; nodeType: string; message: string }
  | { kind: 'interrupted' }
  /** ComfyUI knows nothing of the prompt: restarted since it was queued. */
  | { kind: 'lost' }
  | { kind: 'timeout' };
export type PromptWhereabouts = 'pending' | 'running' | 'finished' | 'unknown';

export interface ComfyClientOptions {
  /** How often history and queue are polled while the socket is down. */
  pollMs?: number;
  requestTimeoutMs?: number;
  /** A WebSocket handshake not finished by then is abandoned, and the socket not tried again for `socketRetryMs`. */
  handshakeTimeoutMs?: number;
  socketRetryMs?: number;
  /** The largest image downloaded from /view. */
  maxImageBytes?: number;
  /** The largest JSON answer (history, queue) and WebSocket frame read. */
  maxJsonBytes?: number;
  /** Sent with every request and the WebSocket handshake, e.g. `Basic …` for a ComfyUI behind an authenticating proxy. */
  authorization?: string | null;
}

const DEFAULT_MAX_IMAGE_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024;

const frameSchema = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) });
const queueItem = z.tuple([z.number(), z.string()]).rest(z.unknown());
const queueSchema = z.object({ queue_running: z.array(queueItem), queue_pending: z.array(queueItem) });
const imageRefSchema = z.object({ filename: z.string(), subfolder: z.string(), type: z.string() });
const historyEntrySchema = z.object({
  outputs: z.record(z.string(), z.object({ images: z.array(imageRefSchema).optional() }).loose()),
  status: z
    .object({ status_str: z.string(), completed: z.boolean(), messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())])) })
    .optional(),
});

interface Follower {
  onFrame(type: string, data: Record<string, unknown>): void;
}

export class ComfyClient {
  readonly clientId = randomUUID();
  private socket: WebSocket | null = null;
  private connecting: Promise<boolean> | null = null;
  /** After a failed handshake, no socket is tried before this time (ms since the epoch). */
  private socketRetryAt = 0;
  private readonly followers = new Map<string, Follower>();
  /** Messages for prompts submitted but not yet followed (the run can start before the POST reply). */
  private readonly early = new Map<string, [string, Record<string, unknown>][]>();
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    private readonly options: ComfyClientOptions = {},
  ) {}

  /** Queues the prompt under our own id. Throws ComfyValidationError (400) or ComfyUnreachableError. */
  async submit(prompt: ComfyWorkflow, promptId: string): Promise<void> {
    // The socket first: the run's first messages can come before the POST reply.
    await this.connect();
    if (!this.followers.has(promptId)) this.early.set(promptId, []);
    try {
      const response = await this.request('/prompt', {
        method: 'POST',
        body: JSON.stringify({ prompt, client_id: this.clientId, prompt_id: promptId }),
      });
      if (response.status === 400) {
        const body: unknown = await this.readJson(response, '/prompt').catch(() => null);
        throw new ComfyValidationError(describeValidationError(body), body);
      }
      if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to POST /prompt`);
    } catch (error) {
      this.early.delete(promptId);
      throw error;
    }
  }

  /** Where ComfyUI has the prompt: after a worker restart or a dropped socket, this decides what to do. */
  async whereabouts(promptId: string): Promise<PromptWhereabouts> {
    if (await this.historyEntry(promptId)) return 'finished';
    const queue = await this.queue();
    if (queue.queue_running.some((item) => item[1] === promptId)) return 'running';
    if (queue.queue_pending.some((item) => item[1] === promptId)) return 'pending';
    // It may have finished between the two reads.
    return (await this.historyEntry(promptId)) ? 'finished' : 'unknown';
  }

  /**
   * Waits for the prompt to end. Resolves with its outcome; `timeout` after `timeoutMs` (the caller
   * interrupts). Messages come over the socket; without one, history and queue are polled.
   */
  async follow(promptId: string, options: { timeoutMs: number; onProgress?: (progress: RenderProgress) => void }): Promise<RenderOutcome> {
    const pollMs = this.options.pollMs ?? 1_000;
    return new Promise<RenderOutcome>((resolve, reject) => {
      let settled = false;
      let checking = false;
      const finish = (outcome: RenderOutcome | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(poller);
        this.followers.delete(promptId);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const check = async (fromSocketEnd: boolean) => {
        if (checking || settled) return;
        checking = true;
        try {
          const outcome = await this.readOutcome(promptId, fromSocketEnd, options.onProgress);
          if (outcome) finish(outcome);
        } catch (error) {
          // Unreachable while polling: keep trying until the deadline; ComfyUI may come back.
          if (!(error instanceof ComfyUnreachableError)) finish(error as Error);
        } finally {
          checking = false;
        }
      };
      const deadline = setTimeout(() => finish({ kind: 'timeout' }), options.timeoutMs);
      const poller = setInterval(() => {
        if (!isOpen(this.socket)) {
          void this.connect();
          void check(false);
        }
      }, pollMs);
      const follower: Follower = {
        onFrame: (type, data) => {
          if (type === 'progress' && typeof data.value === 'number' && typeof data.max === 'number')
            options.onProgress?.({ step: { value: data.value, max: data.max }, ahead: 0 });
          else if (type === 'execution_start') options.onProgress?.({ step: null, ahead: 0 });
          else if (type === 'execution_error')
            finish({
              kind: 'error',
              nodeId: textOf(data.node_id),
              nodeType: textOf(data.node_type),
              message: textOf(data.exception_message).trim(),
            });
          else if (type === 'execution_interrupted') finish({ kind: 'interrupted' });
          else if (type === 'executing' && data.node === null) void check(true);
        },
      };
      this.followers.set(promptId, follower);
      for (const [type, data] of this.early.get(promptId) ?? []) follower.onFrame(type, data);
      this.early.delete(promptId);
      void this.connect().then(() => check(false));
    });
  }

  /** The outcome from history, or null while it runs; `lost` when ComfyUI no longer knows the prompt. */
  private async readOutcome(
    promptId: string,
    ended: boolean,
    onProgress?: (progress: RenderProgress) => void,
  ): Promise<RenderOutcome | null> {
    const entry = await this.historyEntry(promptId);
    if (entry) {
      const messages = entry.status?.messages ?? [];
      const error = messages.find(([type]) => type === 'execution_error')?.[1];
      if (error)
        return {
          kind: 'error',
          nodeId: textOf(error.node_id),
          nodeType: textOf(error.node_type),
          message: textOf(error.exception_message).trim(),
        };
      if (messages.some(([type]) => type === 'execution_interrupted')) return { kind: 'interrupted' };
      return { kind: 'done', images: Object.values(entry.outputs).flatMap((output) => output.images ?? []) };
    }
    if (ended) return null; // history is written before executing{node:null}; a late read comes next poll
    const queue = await this.queue();
    if (queue.queue_running.some((item) => item[1] === promptId)) return null;
    const pending = [...queue.queue_pending].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    const position = pending.findIndex((item) => item[1] === promptId);
    if (position >= 0) {
      onProgress?.({ step: null, ahead: position + queue.queue_running.length });
      return null;
    }
    return (await this.historyEntry(promptId)) ? this.readOutcome(promptId, ended, onProgress) : { kind: 'lost' };
  }

  /** Puts a file in ComfyUI's input folder (POST /upload/image, replacing one of the same name); answers the name LoadImage takes. */
  async upload(file: { name: string; subfolder: string; bytes: Buffer; contentType: string }): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.name);
    form.append('type', 'input');
    form.append('subfolder', file.subfolder);
    form.append('overwrite', 'true');
    const response = await this.request('/upload/image', { method: 'POST', body: form });
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to POST /upload/image`);
    const answer = z.object({ name: z.string(), subfolder: z.string() }).parse(await this.readJson(response, '/upload/image'));
    return answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
  }

  /** The node classes the server declares (GET /object_info), with their inputs. */
  async objectInfo(): Promise<Record<string, DeclaredNode>> {
    const response = await this.request('/object_info');
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to GET /object_info`);
    return z
      .record(z.string(), z.object({ input: z.record(z.string(), z.record(z.string(), z.unknown())).optional() }))
      .parse(await this.readJson(response, '/object_info'));
  }

  /** Stops the prompt if it is running, and removes it if it waits. */
  async cancel(promptId: string): Promise<void> {
    await this.request('/queue', { method: 'POST', body: JSON.stringify({ delete: [promptId] }) });
    await this.request('/interrupt', { method: 'POST', body: JSON.stringify({ prompt_id: promptId }) });
  }

  /** The bytes of one output image, at most `maxImageBytes`. */
  async download(image: ImageRef): Promise<Buffer> {
    const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
    const response = await this.request(`/view?${query.toString()}`);
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to /view for ${image.filename}`);
    return readCapped(response, this.options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES, 'an image');
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
    this.socket = null;
  }

  private async historyEntry(promptId: string) {
    const response = await this.request(`/history/${encodeURIComponent(promptId)}`);
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to /history`);
    const body = z.record(z.string(), historyEntrySchema).parse(await this.readJson(response, '/history'));
    return body[promptId] ?? null;
  }

  private async queue() {
    const response = await this.request('/queue');
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to /queue`);
    return queueSchema.parse(await this.readJson(response, '/queue'));
  }

  private async readJson(response: Response, path: string): Promise<unknown> {
    const bytes = await readCapped(response, this.options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, `a ${path} answer`);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ComfyBadResponseError(`ComfyUI answered ${path} with something other than JSON`);
    }
  }

  private headers(): Record<string, string> {
    return this.options.authorization ? { authorization: this.options.authorization } : {};
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const route = path.split('?')[0] ?? path;
    try {
      // A redirect could lead the worker to an address only it can reach: never followed.
      const response = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: this.headers(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
      if (response.status >= 500) throw new ComfyUnreachableError(`ComfyUI answered ${response.status} to ${route}`);
      return response;
    } catch (error) {
      if (error instanceof ComfyUnreachableError) throw error;
      if ((error as Error).cause instanceof Error && ((error as Error).cause as Error).message === 'unexpected redirect') {
        throw new ComfyBadResponseError(`ComfyUI answered ${route} with a redirect, which is not followed`);
      }
      throw new ComfyUnreachableError(`ComfyUI is unreachable at ${this.baseUrl} (${(error as Error).message})`);
    }
  }

  /** Opens the shared socket if it is not open; resolves false when ComfyUI cannot be reached. */
  private connect(): Promise<boolean> {
    if (this.closed || Date.now() < this.socketRetryAt) return Promise.resolve(false);
    if (isOpen(this.socket)) return Promise.resolve(true);
    // ws is loaded on the first render: a worker with rendering off never needs it.
    this.connecting ??= import('ws').then(
      ({ default: WebSocketClass }) =>
        new Promise<boolean>((resolve) => {
          const socket = new WebSocketClass(`${this.baseUrl.replace(/^http/, 'ws')}/ws?clientId=${this.clientId}`, {
            handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
            maxPayload: this.options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
            headers: this.headers(),
          });
          let answered = false;
          const done = (open: boolean) => {
            if (answered) return;
            answered = true;
            this.connecting = null;
            if (!open) this.socketRetryAt = Date.now() + (this.options.socketRetryMs ?? 30_000);
            resolve(open);
          };
          socket.once('open', () => {
            // Only one socket per client id: ComfyUI drops the id when an old one closes.
            this.socket?.terminate();
            this.socket = socket;
            done(true);
          });
          // Errors come before open (refused, a handshake timeout, a 401) or after (a frame past maxPayload): the socket closes.
          socket.on('error', () => done(false));
          socket.on('close', () => {
            if (this.socket === socket) this.socket = null;
          });
          socket.on('message', (data, isBinary) => {
            if (isBinary) return; // previews are not used
            let parsed: unknown;
            try {
              parsed = JSON.parse(
                Buffer.isBuffer(data)
                  ? data.toString('utf8')
                  : Array.isArray(data)
                    ? Buffer.concat(data).toString('utf8')
                    : Buffer.from(data).toString('utf8'),
              );
            } catch {
              return;
            }
            const frame = frameSchema.safeParse(parsed);
            if (!frame.success) return;
            const promptId = frame.data.data.prompt_id;
            if (typeof promptId !== 'string') return;
            const follower = this.followers.get(promptId);
            if (follower) follower.onFrame(frame.data.type, frame.data.data);
            else this.early.get(promptId)?.push([frame.data.type, frame.data.data]);
          });
        }),
    );
    return this.connecting;
  }
}

const isOpen = (socket: WebSocket | null) => socket !== null && socket.readyState === socket.OPEN;

/** A field of ComfyUI's JSON read as text: strings and numbers as they are, anything else as empty. */
function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
