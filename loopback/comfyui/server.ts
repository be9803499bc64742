import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { ExecutionFailure, ExecutionInterrupted, executePrompt, type ImageRef, type RunHooks } from './execute.js';
import { buildObjectInfo, validatePrompt, type PromptNode } from './object-info.js';
import { ComfyFiles } from './files.js';
import { answerView, isAuthorized, noFaults, type ComfyFaults } from './hostile.js';
import { padPng } from './png.js';

// A loopback ComfyUI (0.3.64's routes and messages, see ../shared/comfyui-notes.md) for the tests and
// the demo: validation against its own /object_info, one prompt at a time in (number, prompt_id)
// order, history written only when a run ends, WebSocket messages to the right recipients, real PNGs,
// and faults: down, slow, execution error, restart (validation errors come from unknown checkpoints),
// and a hostile server's (`faults`: a hung WebSocket handshake, a huge or redirecting /view, a proxy's 401).

export interface ComfyServerOptions {
  checkpoints?: string[];
  /** Delay of each sampler step; raise it to make a render slow. */
  stepDelayMs?: number;
  /**
   * Draws every picture from this seed instead of the render's own: a test that letters a page gets
   * the same pictures on every run (balloons are placed around a picture's detail, and with a random
   * seed a balloon that fits one picture may not fit the next). A new prompt still draws a new picture.
   */
  pictureSeed?: string;
}
type QueueItem = [number, string, Record<string, PromptNode>, Record<string, unknown>, string[]];
interface HistoryEntry {
  prompt: QueueItem;
  outputs: Record<string, { images: ImageRef[] }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}
export interface Submission {
  promptId: string;
  clientId: string | null;
  prompt: Record<string, PromptNode>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};
const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const byPosition = (a: QueueItem, b: QueueItem) => a[0] - b[0] || a[1].localeCompare(b[1]);

export class ComfyServer {
  /** Every prompt accepted by POST /prompt since start, restarts included: what tests count. */
  readonly submissions: Submission[] = [];
  /** Every POST /interrupt: the prompt id it named, or null for a global interrupt. */
  readonly interrupts: (string | null)[] = [];
  /** Every GET /view, by its query: what a client downloaded. */
  readonly views: string[] = [];
  /** The client id of every WebSocket opened. */
  readonly socketsOpened: string[] = [];
  checkpoints: string[];
  stepDelayMs: number;
  private readonly pictureSeed: string | undefined;
  /** Bytes of metadata added to each image saved from now on, to make it as large as a real one. */
  imagePaddingBytes = 0;
  /** What the server does wrong on purpose; see hostile.ts. */
  readonly faults: ComfyFaults = noFaults();
  private server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly clients = new Map<string, WebSocket>();
  /** Upgrades held unanswered (`faults.hangWebSocketHandshake`), closed with the server. */
  private readonly unanswered = new Set<Duplex>();
  private pending: QueueItem[] = [];
  private running: { item: QueueItem; lastNode: string; interrupt: boolean } | null = null;
  private history = new Map<string, HistoryEntry>();
  /** The folders; `files.uploads` lists every accepted upload. */
  readonly files = new ComfyFiles();
  private cache: Pick<RunHooks, 'cache' | 'cachedUi'> = { cache: new Map(), cachedUi: new Map() };
  private number = 0;
  /** Bumped by restart(): a run from an earlier life stops quietly. */
  private life = 0;
  private runFailures: string[] = [];
  private listeners = new Set<() => void>();

  private constructor(
    readonly port: number,
    options: ComfyServerOptions,
  ) {
    this.checkpoints = options.checkpoints ?? ['sd_xl_base_1.0.safetensors'];
    this.stepDelayMs = options.stepDelayMs ?? 0;
    this.pictureSeed = options.pictureSeed;
    this.server = this.makeServer();
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: ComfyServerOptions = {}): Promise<ComfyServer> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const instance = new ComfyServer(port, options);
    await instance.up();
    return instance;
  }

  /** The next run fails at its sampler with this message, as an execution_error. */
  failNextRun(message = 'CUDA out of memory. Tried to allocate 2.00 GiB'): void {
    this.runFailures.push(message);
  }

  /** Stops answering (connections refused) until up(); the queue keeps its place, as behind a dead link. */
  async down(): Promise<void> {
    for (const socket of this.sockets.clients) socket.terminate();
    for (const socket of this.unanswered) socket.destroy();
    this.clients.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = this.makeServer();
  }

  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** A process restart: queued, running and finished prompts are forgotten, and the input folder; output files stay. */
  async restart(): Promise<void> {
    await this.down();
    this.life += 1;
    this.files.forgetInputs();
    this.pending = [];
    this.running = null;
    this.history = new Map();
    this.cache = { cache: new Map(), cachedUi: new Map() };
    this.number = 0;
    await this.up();
  }

  async close(): Promise<void> {
    this.life += 1;
    await this.down();
  }

  /** Resolves when `condition` holds, checked after every state change. */
  waitFor(
    condition: (state: { runningPromptId: string | null; step: number; historyIds: string[] }) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition({ runningPromptId: this.running?.item[1] ?? null, step: this.lastStep, historyIds: [...this.history.keys()] }))
          return;
        stop();
        resolve();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error('the loopback ComfyUI did not reach the expected state in time'));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private lastStep = 0;
  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private makeServer(): Server {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    return server;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname.replace(/^\/api/, '') !== '/ws') {
      socket.destroy();
      return;
    }
    // The upgrade request is read and left unanswered: the client's handshake never completes.
    if (this.faults.hangWebSocketHandshake) {
      this.unanswered.add(socket);
      socket.once('close', () => this.unanswered.delete(socket));
      return;
    }
    if (!isAuthorized(this.faults, req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(req, socket, head, (ws) => {
      const sid = url.searchParams.get('clientId') ?? randomUUID().replaceAll('-', '');
      this.socketsOpened.push(sid);
      this.clients.set(sid, ws);
      ws.on('close', () => {
        // As in ComfyUI: the id is dropped, even when a newer socket took it over.
        this.clients.delete(sid);
      });
      ws.send(JSON.stringify({ type: 'status', data: { status: this.status(), sid } }));
      if (this.running && this.running.item[3].client_id === sid)
        ws.send(JSON.stringify({ type: 'executing', data: { node: this.running.lastNode } }));
    });
  }

  private status() {
    return { exec_info: { queue_remaining: this.pending.length + (this.running ? 1 : 0) } };
  }
  private send(clientId: unknown, type: string, data: Record<string, unknown>): void {
    if (typeof clientId !== 'string') return;
    const socket = this.clients.get(clientId);
    if (socket?.readyState === socket?.OPEN) socket?.send(JSON.stringify({ type, data }));
  }
  private broadcast(type: string, data: Record<string, unknown>): void {
    const frame = JSON.stringify({ type, data });
    for (const socket of this.clients.values()) if (socket.readyState === socket.OPEN) socket.send(frame);
  }
  private queueUpdated(): void {
    this.broadcast('status', { status: this.status() });
    this.changed();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const path = url.pathname.replace(/^\/api(?=\/)/, '');
    const method = req.method ?? 'GET';
    if (!isAuthorized(this.faults, req)) return json(res, 401, { error: 'authentication required' });
    const info = buildObjectInfo({ checkpoints: this.checkpoints, inputFiles: this.files.inputNames() });
    if (method === 'GET' && path === '/object_info') return json(res, 200, info);
    if (method === 'GET' && path.startsWith('/object_info/')) {
      const name = decodeURIComponent(path.slice('/object_info/'.length));
      return json(res, 200, Object.hasOwn(info, name) ? { [name]: info[name] } : {});
    }
    if (method === 'GET' && path === '/models/checkpoints') return json(res, 200, this.checkpoints);
    if (method === 'GET' && path === '/prompt') return json(res, 200, { exec_info: this.status().exec_info });
    if (method === 'POST' && path === '/prompt') return this.postPrompt(await readBody(req), info, res);
    if (method === 'GET' && path === '/queue')
      return json(res, 200, { queue_running: this.running ? [this.running.item] : [], queue_pending: [...this.pending] });
    if (method === 'POST' && (path === '/queue' || path === '/history')) {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as { clear?: boolean; delete?: string[] };
      if (path === '/queue') {
        if (body.clear) this.pending = [];
        if (body.delete) this.pending = this.pending.filter((item) => !body.delete?.includes(item[1]));
        this.queueUpdated();
      } else {
        if (body.clear) this.history.clear();
        for (const id of body.delete ?? []) this.history.delete(id);
      }
      res.writeHead(200).end();
      return;
    }
    if (method === 'GET' && path === '/history') {
      const entries = [...this.history.entries()];
      const max = url.searchParams.get('max_items');
      return json(res, 200, Object.fromEntries(max === null ? entries : entries.slice(-Number(max))));
    }
    if (method === 'GET' && path.startsWith('/history/')) {
      const id = decodeURIComponent(path.slice('/history/'.length));
      if (this.faults.unexpectedHistory) return json(res, 200, { [id]: { outputs: [], status: 'done' } });
      const entry = this.history.get(id);
      return json(res, 200, entry ? { [id]: entry } : {});
    }
    if (method === 'POST' && path === '/interrupt') {
      let target: string | undefined;
      try {
        target = (JSON.parse((await readBody(req)).toString()) as { prompt_id?: string }).prompt_id;
      } catch {
        target = undefined;
      }
      this.interrupts.push(target ?? null);
      if (this.running && (target === undefined || this.running.item[1] === target)) this.running.interrupt = true;
      res.writeHead(200).end();
      return;
    }
    if (method === 'GET' && path === '/view') this.views.push(url.search);
    if (method === 'GET' && path === '/view') return this.faults.view ? answerView(this.faults.view, res) : this.files.view(url, res);
    if (method === 'POST' && path === '/upload/image') return this.files.upload(req, await readBody(req), res);
    res.writeHead(404).end();
  }

  private postPrompt(raw: Buffer, info: ReturnType<typeof buildObjectInfo>, res: ServerResponse): void {
    const body = JSON.parse(raw.toString()) as {
      prompt?: Record<string, PromptNode>;
      client_id?: string;
      prompt_id?: unknown;
      number?: number;
      front?: boolean;
      extra_data?: Record<string, unknown>;
    };
    let number = body.number === undefined ? this.number : Number(body.number);
    if (body.front) number = -number;
    this.number += 1;
    if (!body.prompt) {
      return json(res, 400, {
        error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
        node_errors: {},
      });
    }
    const promptId = typeof body.prompt_id === 'string' || typeof body.prompt_id === 'number' ? String(body.prompt_id) : randomUUID();
    const validation = validatePrompt(body.prompt, info);
    if (!validation.ok) return json(res, 400, { error: validation.error, node_errors: validation.nodeErrors });
    const extra = { ...(body.extra_data ?? {}), ...(body.client_id === undefined ? {} : { client_id: body.client_id }) };
    this.submissions.push({ promptId, clientId: body.client_id ?? null, prompt: body.prompt });
    this.pending.push([number, promptId, body.prompt, extra, validation.outputs]);
    this.queueUpdated();
    // The run may start, and send its first messages, before this reply leaves: race 1 of the notes.
    void this.pump();
    json(res, 200, { prompt_id: promptId, number, node_errors: validation.nodeErrors });
  }

  private async pump(): Promise<void> {
    if (this.running || this.pending.length === 0) return;
    this.pending.sort(byPosition);
    const item = this.pending.shift();
    if (!item) return;
    this.running = { item, lastNode: '', interrupt: false };
    this.lastStep = 0;
    this.queueUpdated();
    // run() hands over to the next prompt itself; a restart has already forgotten this one.
    await this.run(item, this.life);
  }

  private async run(item: QueueItem, life: number): Promise<void> {
    const [, promptId, prompt, extra, outputs] = item;
    const client = extra.client_id;
    const messages: [string, Record<string, unknown>][] = [];
    const message = (type: string, data: Record<string, unknown>, to: 'client' | 'interrupt' = 'client') => {
      const full = { ...data, prompt_id: promptId, timestamp: Date.now() };
      messages.push([type, full]);
      if (to === 'interrupt' && typeof client !== 'string') this.broadcast(type, full);
      else this.send(client, type, full);
    };
    const alive = () => this.life === life;
    const hooks: RunHooks = {
      ...this.cache,
      files: {
        save: (prefix, type, bytes) =>
          this.files.save(prefix, type, this.imagePaddingBytes > 0 ? padPng(bytes, this.imagePaddingBytes) : bytes),
        readInput: (name) => this.files.readInput(name),
      },
      pictureSeed: this.pictureSeed,
      stepDelay: () => (this.stepDelayMs > 0 ? sleep(this.stepDelayMs) : nextTurn()),
      shouldInterrupt: () => !alive() || (this.running?.interrupt ?? false),
      failAtSampler: () => this.runFailures.shift() ?? null,
      onCached: (nodes) => message('execution_cached', { nodes }),
      onExecuting: (node) => {
        if (this.running) this.running.lastNode = node;
        this.send(client, 'executing', { node, display_node: node, prompt_id: promptId });
      },
      onProgress: (node, value, max) => {
        this.lastStep = value;
        const data = { value, max, prompt_id: promptId, node };
        if (typeof client === 'string') this.send(client, 'progress', data);
        else this.broadcast('progress', data);
        this.changed();
      },
      onExecuted: (node, output) => this.send(client, 'executed', { node, display_node: node, output, prompt_id: promptId }),
    };
    message('execution_start', {});
    let entry: HistoryEntry;
    try {
      const result = await executePrompt(prompt, outputs, hooks);
      if (!alive()) return;
      message('execution_success', {});
      this.cache = { cache: result.cache, cachedUi: result.ui };
      entry = {
        prompt: item,
        outputs: result.outputs,
        status: { status_str: 'success', completed: true, messages },
        meta: meta(result.outputs),
      };
    } catch (error) {
      if (!alive()) return;
      if (error instanceof ExecutionInterrupted) {
        message('execution_interrupted', { node_id: error.nodeId, node_type: error.nodeType, executed: [] }, 'interrupt');
      } else {
        const failure = error instanceof ExecutionFailure ? error : new ExecutionFailure('', '', String(error));
        message('execution_error', {
          node_id: failure.nodeId,
          node_type: failure.nodeType,
          executed: [],
          exception_message: `${failure.message}\n`,
          exception_type: failure.exceptionType,
          traceback: [`  File "execution.py", line 1, in execute\n`],
          current_inputs: {},
          current_outputs: [],
        });
      }
      entry = { prompt: item, outputs: {}, status: { status_str: 'error', completed: false, messages }, meta: {} };
    }
    // execution_success leaves before the history is written (race 2 of the notes).
    await nextTurn();
    if (!alive()) return;
    this.history.set(promptId, entry);
    this.running = null;
    this.queueUpdated();
    this.send(client, 'executing', { node: null, prompt_id: promptId });
    void this.pump();
  }
}

function meta(outputs: Record<string, unknown>): HistoryEntry['meta'] {
  return Object.fromEntries(Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }]));
}
