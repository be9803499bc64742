import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SessionStarts } from './session-starts.js';
import { shardOf } from './snowflake.js';
import type { JsonObject } from './types.js';

const HEARTBEAT_INTERVAL_MS = 41_250;
const INTENT_GUILD_MESSAGES = 1 << 9;

interface Session {
  id: string;
  socket: WebSocket | null;
  shard: [number, number];
  intents: number;
  seq: number;
  /** Dispatches kept for RESUME. */
  sent: { seq: number; payload: string }[];
}

export interface GatewayHooks {
  token: string;
  resumeUrl: () => string;
  /** READY's data for a session of this shard. */
  readyPayload: (sessionId: string, shard: [number, number]) => JsonObject;
  /** GUILD_CREATE payloads for the guilds of a shard. */
  guildsFor: (shard: [number, number]) => JsonObject[];
  /** Identify pacing and the daily session starts. */
  sessionStarts: SessionStarts;
}

/** The gateway side of the emulator: HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME and dispatches. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** During an outage every session is closed and new connections are refused, as in a Discord incident. */
  private down = false;

  constructor(private readonly hooks: GatewayHooks) {}

  setOutage(down: boolean): void {
    this.down = down;
    if (down) this.disconnectAll();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Sessions that identified and are connected now. */
  connectedShards(): [number, number][] {
    return [...this.sessions.values()].filter((s) => s.socket !== null).map((s) => s.shard);
  }

  /** Sends an event to the session holding this guild (or every session when guildId is null). */
  dispatch(event: string, data: JsonObject, guildId: string | null, options: { messageEvent?: boolean } = {}): number {
    let delivered = 0;
    for (const session of this.sessions.values()) {
      if (guildId !== null && shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      if (options.messageEvent && (session.intents & INTENT_GUILD_MESSAGES) === 0) continue;
      this.send(session, event, data);
      delivered += 1;
    }
    return delivered;
  }

  disconnectAll(): void {
    for (const session of this.sessions.values()) {
      session.socket?.close(4000, 'emulator disconnect');
      session.socket = null;
    }
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private send(session: Session, event: string, data: JsonObject): void {
    session.seq += 1;
    const payload = JSON.stringify({ op: 0, t: event, s: session.seq, d: data });
    session.sent.push({ seq: session.seq, payload });
    if (session.sent.length > 1000) session.sent.shift();
    if (session.socket?.readyState === 1) session.socket.send(payload);
  }

  private accept(ws: WebSocket): void {
    let session: Session | null = null;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS }, s: null, t: null }));
    ws.on('message', (raw) => {
      let message: { op: number; d: unknown };
      try {
        // ws hands text frames over as one Buffer (its default binaryType).
        message = JSON.parse((raw as Buffer).toString()) as { op: number; d: unknown };
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      switch (message.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
          return;
        case 2: {
          const d = message.d as { token?: string; intents?: number; shard?: [number, number] };
          if (d.token !== this.hooks.token) {
            ws.close(4004, 'Authentication failed');
            return;
          }
          const shard: [number, number] = d.shard ?? [0, 1];
          if (!this.hooks.sessionStarts.identify(shard)) {
            // An identify Discord would not take: the session is invalid, and the client identifies again later.
            ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
            return;
          }
          session = { id: randomBytes(16).toString('hex'), socket: ws, shard, intents: d.intents ?? 0, seq: 0, sent: [] };
          this.sessions.set(session.id, session);
          this.send(session, 'READY', { ...this.hooks.readyPayload(session.id, shard), resume_gateway_url: this.hooks.resumeUrl() });
          for (const guild of this.hooks.guildsFor(shard)) this.send(session, 'GUILD_CREATE', guild);
          return;
        }
        case 6: {
          const d = message.d as { token?: string; session_id?: string; seq?: number };
          const existing = d.session_id ? this.sessions.get(d.session_id) : undefined;
          if (!existing || d.token !== this.hooks.token) {
            ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
            return;
          }
          existing.socket = ws;
          session = existing;
          for (const missed of existing.sent.filter((entry) => entry.seq > (d.seq ?? 0))) ws.send(missed.payload);
          this.send(existing, 'RESUMED', {});
          return;
        }
        default:
          return;
      }
    });
    ws.on('close', () => {
      if (session && session.socket === ws) session.socket = null;
    });
    ws.on('error', () => undefined);
  }
}
