import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Gateway } from './gateway.js';
import { checkMessageBody, checkModal } from './limits.js';
import { channelJson, memberJson, messageJson, userJson, type ChannelState, type GuildState, type UserState } from './payloads.js';
import { nextSnowflake } from './snowflake.js';
import type { FailAnswer, InteractionHandle, InteractionResponse, JsonObject, RecordedCall, StoredMessage } from './types.js';

export { renderChannel } from './render-channel.js';
export type { EmbedJson, ComponentJson, FailAnswer, InteractionHandle, InteractionResponse, RecordedCall, StoredMessage } from './types.js';

const EPHEMERAL = 64;
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
const DEFAULT_PERMISSIONS =
  (1n << 10n) | // View Channel
  (1n << 11n) | // Send Messages
  (1n << 38n) | // Send Messages in Threads
  (1n << 31n) | // Use Application Commands
  (1n << 16n); // Read Message History
const ALL_PERMISSIONS = (1n << 50n) - 1n;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface InteractionState {
  id: string;
  token: string;
  type: number;
  guildId: string | null;
  channelId: string;
  payload: JsonObject;
  dispatchedAt: number;
  ack: { type: number; at: number; ephemeral: boolean } | null;
  /** The message @original points at: the reply (4/5) or the message a component sits on (6/7). */
  originalMessageId: string | null;
  componentMessageId: string | null;
  responses: InteractionResponse[];
  followUps: StoredMessage[];
  resolveAck: (ack: { type: number; afterMs: number }) => void;
  rejectAck: (error: Error) => void;
  waiters: (() => void)[];
}

interface Failure {
  method?: string;
  route?: string | RegExp;
  times: number;
  answer: FailAnswer;
}

interface Route {
  method: string;
  pattern: RegExp;
  name: string;
  auth: boolean;
  handle: (ctx: RouteContext) => Promise<{ status: number; body?: unknown }> | { status: number; body?: unknown };
}

interface RouteContext {
  params: string[];
  body: JsonObject;
  files: { filename: string; content: Buffer }[];
  query: URLSearchParams;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A loopback Discord: an HTTP + WebSocket server that the real discord.js client logs in to.
 * Tests inject interactions as members of a guild, and read back the channels as a person would.
 * It enforces Discord's limits and records every REST call.
 */
export class DiscordEmulator {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly apiUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;

  private readonly users = new Map<string, UserState>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly commands = new Map<string, JsonObject[]>();
  private readonly attachments = new Map<string, { filename: string; contentType: string; content: Buffer }>();
  private readonly failures: Failure[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly gateway: Gateway;
  private readonly routes: Route[];

  private constructor(
    private readonly server: http.Server,
    private readonly port: number,
    private readonly options: { ackDeadlineMs: number; shards: number; botUsername: string },
    ids: { applicationId: string; token: string },
  ) {
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.applicationId = ids.applicationId;
    this.token = ids.token;
    this.botUserId = ids.applicationId;
    this.users.set(this.botUserId, { id: this.botUserId, username: options.botUsername, bot: true });
    this.gateway = new Gateway({
      token: this.token,
      resumeUrl: () => `ws://127.0.0.1:${this.port}/gateway`,
      readyPayload: (sessionId, shard) => ({
        v: 10,
        user: { ...userJson(this.bot), verified: true, mfa_enabled: false },
        guilds: [...this.guilds.values()].map((g) => ({ id: g.id, unavailable: true })).filter((g) => this.guildOnShard(g.id, shard)),
        session_id: sessionId,
        session_type: 'normal',
        shard,
        application: { id: this.applicationId, flags: 0 },
        user_settings: {},
        relationships: [],
        private_channels: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        auth: {},
      }),
      guildsFor: (shard) => [...this.guilds.values()].filter((g) => this.guildOnShard(g.id, shard)).map((g) => this.guildJson(g)),
    });
    this.routes = this.buildRoutes();
  }

  static async start(
    options: { applicationId?: string; botToken?: string; botUsername?: string; ackDeadlineMs?: number; shards?: number } = {},
  ): Promise<DiscordEmulator> {
    let instance: DiscordEmulator | null = null;
    const server = http.createServer((req, res) => {
      if (instance) void instance.handleHttp(req, res);
    });
    server.on('upgrade', (req, socket, head) => {
      if (instance && (req.url ?? '').startsWith('/gateway')) instance.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const applicationId = options.applicationId ?? nextSnowflake();
    instance = new DiscordEmulator(
      server,
      port,
      { ackDeadlineMs: options.ackDeadlineMs ?? 3_000, shards: options.shards ?? 1, botUsername: options.botUsername ?? 'storyroom' },
      { applicationId, token: options.botToken ?? `${Buffer.from(applicationId).toString('base64')}.loopback.${randomBytes(12).toString('hex')}` },
    );
    server.on('connection', (socket) => {
      instance?.sockets.add(socket);
      socket.on('close', () => instance?.sockets.delete(socket));
    });
    return instance;
  }

  // ── the world ──────────────────────────────────────────────────────────────────────────────

  createGuild(input: { name?: string } = {}): { id: string } {
    const id = nextSnowflake();
    const guild: GuildState = { id, name: input.name ?? 'Loopback Guild', ownerId: this.botUserId, channels: new Map(), members: new Map() };
    guild.members.set(this.botUserId, { userId: this.botUserId, permissions: ALL_PERMISSIONS, roles: [], joinedAt: new Date().toISOString() });
    this.guilds.set(id, guild);
    this.gateway.dispatch('GUILD_CREATE', this.guildJson(guild), id);
    return { id };
  }

  createChannel(guildId: string, input: { name?: string; type?: number } = {}): { id: string } {
    const guild = this.requireGuild(guildId);
    const channel: ChannelState = {
      id: nextSnowflake(),
      guildId,
      type: input.type ?? 0,
      name: input.name ?? 'general',
      parentId: null,
      ownerId: null,
      createdAt: Date.now(),
      messages: [],
    };
    guild.channels.set(channel.id, channel);
    this.channels.set(channel.id, channel);
    this.gateway.dispatch('CHANNEL_CREATE', channelJson(channel), guildId);
    return { id: channel.id };
  }

  createUser(input: { username?: string; bot?: boolean } = {}): { id: string; username: string } {
    const id = nextSnowflake();
    const user = { id, username: input.username ?? `user${this.users.size}`, bot: input.bot ?? false };
    this.users.set(id, user);
    return { id, username: user.username };
  }

  addMember(guildId: string, userId: string, input: { permissions?: bigint; roles?: string[] } = {}): void {
    this.requireGuild(guildId).members.set(userId, {
      userId,
      permissions: input.permissions ?? DEFAULT_PERMISSIONS,
      roles: input.roles ?? [],
      joinedAt: new Date().toISOString(),
    });
  }

  // ── interactions ───────────────────────────────────────────────────────────────────────────

  slashCommand(input: {
    guildId: string;
    channelId: string;
    userId: string;
    name: string;
    subcommand?: string;
    subcommandGroup?: string;
    options?: Record<string, string | number | boolean>;
    attachments?: Record<string, { filename: string; contentType: string; content: string }>;
  }): InteractionHandle {
    const registered = [...(this.commands.get(input.guildId) ?? []), ...(this.commands.get('global') ?? [])].find((c) => c.name === input.name);
    // An option takes the type the command declared (a user, a number), as Discord's client would send it.
    type Declared = { name: string; type: number; options?: Declared[] };
    let declared = (registered?.options ?? []) as unknown as Declared[];
    if (input.subcommandGroup) declared = declared.find((o) => o.name === input.subcommandGroup)?.options ?? [];
    if (input.subcommand) declared = declared.find((o) => o.name === input.subcommand)?.options ?? [];
    const resolvedUsers: Record<string, JsonObject> = {};
    const resolvedMembers: Record<string, JsonObject> = {};
    let options: JsonObject[] = Object.entries(input.options ?? {}).map(([name, value]) => {
      const type = declared.find((o) => o.name === name)?.type ?? (typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3);
      const user = type === 6 ? this.users.get(String(value)) : undefined;
      if (user) {
        resolvedUsers[user.id] = userJson(user);
        const member = this.guilds.get(input.guildId)?.members.get(user.id);
        if (member) {
          const { user: _user, ...rest } = memberJson(member, user);
          resolvedMembers[user.id] = rest;
        }
      }
      return { name, type, value };
    });
    const resolvedAttachments: Record<string, JsonObject> = {};
    for (const [name, file] of Object.entries(input.attachments ?? {})) {
      const id = nextSnowflake();
      const content = Buffer.from(file.content);
      this.attachments.set(id, { filename: file.filename, contentType: file.contentType, content });
      resolvedAttachments[id] = {
        id,
        filename: file.filename,
        size: content.length,
        content_type: file.contentType,
        url: `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(file.filename)}`,
        proxy_url: `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(file.filename)}`,
      };
      options.push({ name, type: 11, value: id });
    }
    if (input.subcommand) options = [{ name: input.subcommand, type: 1, options }];
    if (input.subcommandGroup) options = [{ name: input.subcommandGroup, type: 2, options }];
    const data: JsonObject = { id: (registered?.id as string | undefined) ?? nextSnowflake(), name: input.name, type: 1, options };
    const resolved: JsonObject = {};
    if (Object.keys(resolvedAttachments).length > 0) resolved.attachments = resolvedAttachments;
    if (Object.keys(resolvedUsers).length > 0) Object.assign(resolved, { users: resolvedUsers, members: resolvedMembers });
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return this.dispatchInteraction(2, input.guildId, input.channelId, input.userId, data, null);
  }

  clickButton(input: { guildId?: string; channelId: string; userId: string; messageId: string; customId: string }): InteractionHandle {
    const channel = this.requireChannel(input.channelId);
    const message = channel.messages.find((m) => m.id === input.messageId);
    if (!message) throw new Error(`clickButton: message ${input.messageId} is not in channel ${input.channelId}`);
    return this.dispatchInteraction(2 + 1, input.guildId ?? channel.guildId, input.channelId, input.userId, { custom_id: input.customId, component_type: 2 }, message);
  }

  submitModal(input: { guildId?: string; channelId: string; userId: string; customId: string; fields: Record<string, string>; messageId?: string }): InteractionHandle {
    const channel = this.requireChannel(input.channelId);
    const message = input.messageId ? (channel.messages.find((m) => m.id === input.messageId) ?? null) : null;
    const data = {
      custom_id: input.customId,
      components: Object.entries(input.fields).map(([customId, value]) => ({ type: 1, components: [{ type: 4, custom_id: customId, value }] })),
    };
    return this.dispatchInteraction(5, input.guildId ?? channel.guildId, input.channelId, input.userId, data, message);
  }

  /** Delivers the same interaction again, as Discord sometimes does. */
  redeliver(handle: InteractionHandle): void {
    const state = this.interactions.get(handle.id);
    if (!state) throw new Error('unknown interaction');
    this.gateway.dispatch('INTERACTION_CREATE', state.payload, state.guildId);
  }

  // ── reading back ──────────────────────────────────────────────────────────────────────────

  messages(channelId: string): StoredMessage[] {
    return [...(this.channels.get(channelId)?.messages ?? [])];
  }

  message(channelId: string, messageId: string): StoredMessage | undefined {
    return this.channels.get(channelId)?.messages.find((m) => m.id === messageId);
  }

  threads(parentChannelId: string): { id: string; name: string; parentId: string }[] {
    return [...this.channels.values()]
      .filter((c) => c.parentId === parentChannelId)
      .map((c) => ({ id: c.id, name: c.name, parentId: parentChannelId }));
  }

  registeredCommands(guildId?: string): unknown[] {
    return this.commands.get(guildId ?? 'global') ?? [];
  }

  /** Shards connected and identified right now. */
  connectedShards(): number {
    return this.gateway.connectedShards().length;
  }

  async waitForBotConnection(options: { timeoutMs?: number; shards?: number } = {}): Promise<void> {
    const wanted = options.shards ?? this.options.shards;
    await this.waitFor(() => this.gateway.connectedShards().length >= wanted, {
      timeoutMs: options.timeoutMs ?? 30_000,
      description: `${wanted} gateway shard(s) to connect`,
    });
    // The client reports ready once the guilds it was promised have arrived; give it a moment.
    await sleep(100);
  }

  async waitFor<T>(probe: () => T | undefined | null | false, options: { timeoutMs?: number; description?: string } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.description ?? 'a condition'}`);
      await sleep(10);
    }
  }

  // ── faults ────────────────────────────────────────────────────────────────────────────────

  failNext(match: { method?: string; route?: string | RegExp; times?: number }, answer: FailAnswer): void {
    this.failures.push({ ...(match.method ? { method: match.method } : {}), ...(match.route ? { route: match.route } : {}), times: match.times ?? 1, answer });
  }

  deleteMessage(channelId: string, messageId: string): void {
    const channel = this.channels.get(channelId);
    if (channel) channel.messages = channel.messages.filter((m) => m.id !== messageId);
  }

  deleteChannel(channelId: string): void {
    const channel = this.channels.get(channelId);
    if (!channel) return;
    this.channels.delete(channelId);
    this.guilds.get(channel.guildId)?.channels.delete(channelId);
    this.gateway.dispatch(channel.type === 11 ? 'THREAD_DELETE' : 'CHANNEL_DELETE', { id: channelId, guild_id: channel.guildId, type: channel.type, parent_id: channel.parentId }, channel.guildId);
  }

  disconnectGateway(): void {
    this.gateway.disconnectAll();
  }

  async close(): Promise<void> {
    for (const state of this.interactions.values()) state.rejectAck(new Error('emulator closed'));
    await this.gateway.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── internals: interactions ───────────────────────────────────────────────────────────────

  private get bot(): UserState {
    return this.users.get(this.botUserId) as UserState;
  }

  private guildOnShard(guildId: string, shard: [number, number]): boolean {
    return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
  }

  private dispatchInteraction(type: number, guildId: string, channelId: string, userId: string, data: JsonObject, message: StoredMessage | null): InteractionHandle {
    const guild = this.requireGuild(guildId);
    const channel = this.requireChannel(channelId);
    const user = this.users.get(userId);
    const member = guild.members.get(userId);
    if (!user || !member) throw new Error(`user ${userId} is not a member of guild ${guildId}`);
    const id = nextSnowflake();
    const token = `interaction.${randomBytes(24).toString('hex')}`;
    const payload: JsonObject = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      app_permissions: ALL_PERMISSIONS.toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      channel_id: channelId,
      channel: channelJson(channel),
      member: memberJson(member, user),
      data,
      ...(message ? { message: messageJson(message, guildId, this.users.get(message.authorId) ?? this.bot, this.applicationId) } : {}),
    };
    let resolveAck: InteractionState['resolveAck'] = () => undefined;
    let rejectAck: InteractionState['rejectAck'] = () => undefined;
    const acknowledged = new Promise<{ type: number; afterMs: number }>((resolve, reject) => {
      resolveAck = resolve;
      rejectAck = reject;
    });
    acknowledged.catch(() => undefined);
    const state: InteractionState = {
      id,
      token,
      type,
      guildId,
      channelId,
      payload,
      dispatchedAt: Date.now(),
      ack: null,
      originalMessageId: null,
      componentMessageId: message?.id ?? null,
      responses: [],
      followUps: [],
      resolveAck,
      rejectAck,
      waiters: [],
    };
    this.interactions.set(id, state);
    this.interactionsByToken.set(token, state);
    const timer = setTimeout(() => {
      if (!state.ack) {
        this.violations.push(`interaction ${id} (${describeInteraction(type, data)}) was not acknowledged within ${this.options.ackDeadlineMs} ms`);
        rejectAck(new Error(`interaction ${id} was not acknowledged within ${this.options.ackDeadlineMs} ms`));
      }
    }, this.options.ackDeadlineMs + 250);
    timer.unref();
    this.gateway.dispatch('INTERACTION_CREATE', payload, guildId);
    const violations = this.violations;
    return {
      id,
      token,
      acknowledged,
      followUps: state.followUps,
      async response(options = {}) {
        const deadline = Date.now() + (options.timeoutMs ?? 10_000);
        for (;;) {
          const first = state.responses[0];
          if (first) return first;
          if (Date.now() > deadline) {
            throw new Error(`no visible response to interaction ${id} (${describeInteraction(type, data)}); ack: ${JSON.stringify(state.ack)}; violations: ${violations.join('; ')}`);
          }
          await sleep(5);
        }
      },
    };
  }

  private storeMessage(channel: ChannelState, body: JsonObject, files: { filename: string; content: Buffer }[], extra: Partial<StoredMessage>): StoredMessage {
    const message: StoredMessage = {
      id: nextSnowflake(),
      channelId: channel.id,
      authorId: this.botUserId,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? (body.embeds as JsonObject[]) : [],
      components: Array.isArray(body.components) ? (body.components as JsonObject[]) : [],
      flags: typeof body.flags === 'number' ? body.flags : 0,
      editedAt: null,
      createdAt: Date.now(),
      allowedMentions: body.allowed_mentions ?? null,
      attachments: files.map((f) => ({ filename: f.filename, size: f.content.length, content: f.content })),
      ephemeral: false,
      pinned: false,
      ...extra,
    };
    if (!message.ephemeral) {
      channel.messages.push(message);
      this.gateway.dispatch('MESSAGE_CREATE', messageJson(message, channel.guildId, this.bot, this.applicationId), channel.guildId, { messageEvent: true });
    }
    return message;
  }

  private editMessage(message: StoredMessage, body: JsonObject, files: { filename: string; content: Buffer }[]): void {
    if (typeof body.content === 'string' || body.content === null) message.content = (body.content as string | null) ?? '';
    if (Array.isArray(body.embeds)) message.embeds = body.embeds as JsonObject[];
    if (Array.isArray(body.components)) message.components = body.components as JsonObject[];
    if (typeof body.flags === 'number') message.flags = (message.flags & EPHEMERAL) | (body.flags & ~EPHEMERAL);
    if (body.allowed_mentions !== undefined) message.allowedMentions = body.allowed_mentions;
    if (files.length > 0) message.attachments = files.map((f) => ({ filename: f.filename, size: f.content.length, content: f.content }));
    message.editedAt = Date.now();
    if (!message.ephemeral) {
      const channel = this.channels.get(message.channelId);
      this.gateway.dispatch('MESSAGE_UPDATE', messageJson(message, channel?.guildId ?? null, this.bot, this.applicationId), channel?.guildId ?? null, {
        messageEvent: true,
      });
    }
  }

  private respond(state: InteractionState, response: InteractionResponse): void {
    state.responses.push(response);
  }

  private findInteractionMessage(state: InteractionState, messageId: string): StoredMessage | undefined {
    if (messageId === '@original') {
      const id = state.originalMessageId ?? state.componentMessageId;
      if (!id) return undefined;
      return this.channels.get(state.channelId)?.messages.find((m) => m.id === id) ?? state.followUps.find((m) => m.id === id) ?? this.ephemeralOriginal.get(state.id);
    }
    return state.followUps.find((m) => m.id === messageId) ?? this.channels.get(state.channelId)?.messages.find((m) => m.id === messageId);
  }

  private readonly ephemeralOriginal = new Map<string, StoredMessage>();

  private responseFrom(kind: 'reply' | 'update', message: StoredMessage): InteractionResponse {
    return {
      kind,
      ephemeral: message.ephemeral,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.content })),
    };
  }

  private interactionCallback(ctx: RouteContext): { status: number; body?: unknown } {
    const [id, token] = ctx.params as [string, string];
    const state = this.interactions.get(id);
    if (!state || state.token !== token) throw new HttpError(404, 10062, 'Unknown interaction');
    const type = Number(ctx.body.type);
    const data = (ctx.body.data ?? {}) as JsonObject;
    const elapsed = Date.now() - state.dispatchedAt;
    if (state.ack) {
      this.violations.push(`interaction ${id} was acknowledged twice (callback type ${type} after ${state.ack.type})`);
      throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
    }
    if (elapsed > this.options.ackDeadlineMs) {
      this.violations.push(`interaction ${id} was acknowledged after ${elapsed} ms (deadline ${this.options.ackDeadlineMs} ms)`);
      throw new HttpError(404, 10062, 'Unknown interaction');
    }
    const ephemeral = ((Number(data.flags ?? 0) & EPHEMERAL) !== 0);
    if (type === 4 || type === 7) this.assertValid(checkMessageBody(data, { creating: type === 4, hasFiles: ctx.files.length > 0 }), `callback ${type}`);
    if (type === 9) this.assertValid(checkModal(data), 'modal');
    if (![4, 5, 6, 7, 9].includes(type)) throw new HttpError(400, 50035, `Invalid interaction callback type ${type}`);
    if ((type === 6 || type === 7) && state.type === 2) throw new HttpError(400, 50035, 'Component callback types need a component interaction');
    const channel = this.requireChannel(state.channelId);
    state.ack = { type, at: Date.now(), ephemeral };
    state.resolveAck({ type, afterMs: elapsed });
    let message: StoredMessage | null = null;
    switch (type) {
      case 4:
        message = this.storeMessage(channel, data, ctx.files, { interactionId: id, ephemeral });
        state.originalMessageId = message.id;
        if (ephemeral) this.ephemeralOriginal.set(id, message);
        this.respond(state, this.responseFrom('reply', message));
        break;
      case 5:
        message = this.storeMessage(channel, { content: '', flags: 128 | (ephemeral ? EPHEMERAL : 0) }, [], { interactionId: id, ephemeral });
        state.originalMessageId = message.id;
        if (ephemeral) this.ephemeralOriginal.set(id, message);
        break;
      case 6:
        break;
      case 7: {
        const target = state.componentMessageId ? channel.messages.find((m) => m.id === state.componentMessageId) : undefined;
        if (target) {
          this.editMessage(target, data, ctx.files);
          this.respond(state, this.responseFrom('update', target));
        }
        break;
      }
      case 9:
        this.respond(state, {
          kind: 'modal',
          ephemeral: true,
          content: '',
          embeds: [],
          components: [],
          modal: { custom_id: String(data.custom_id), title: String(data.title), components: (data.components as JsonObject[]) ?? [] },
        });
        break;
    }
    if (ctx.query.get('with_response') === 'true') {
      return {
        status: 200,
        body: {
          interaction: { id, type: state.type, response_message_id: message?.id ?? null, response_message_loading: type === 5, response_message_ephemeral: ephemeral },
          ...(message ? { resource: { type, message: messageJson(message, state.guildId, this.bot, this.applicationId) } } : { resource: { type } }),
        },
      };
    }
    return { status: 204 };
  }

  private webhookState(applicationId: string, token: string): InteractionState {
    const state = this.interactionsByToken.get(token);
    if (!state || applicationId !== this.applicationId) throw new HttpError(404, 10015, 'Unknown Webhook');
    if (Date.now() - state.dispatchedAt > TOKEN_LIFETIME_MS) throw new HttpError(401, 50027, 'Invalid Webhook Token');
    if (!state.ack) throw new HttpError(404, 10015, 'Unknown Webhook');
    return state;
  }

  // ── internals: REST ───────────────────────────────────────────────────────────────────────

  private buildRoutes(): Route[] {
    const S = '(\\d{15,21})';
    const T = '([^/]+)';
    const route = (method: string, path: string, name: string, auth: boolean, handle: Route['handle']): Route => ({
      method,
      pattern: new RegExp(`^${path}$`),
      name,
      auth,
      handle,
    });
    return [
      route('GET', '/gateway/bot', '/gateway/bot', true, () => ({
        status: 200,
        body: {
          url: `ws://127.0.0.1:${this.port}/gateway`,
          shards: this.options.shards,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      })),
      route('GET', '/gateway', '/gateway', false, () => ({ status: 200, body: { url: `ws://127.0.0.1:${this.port}/gateway` } })),
      route('GET', '/users/@me', '/users/@me', true, () => ({ status: 200, body: userJson(this.bot) })),
      route('GET', '/applications/@me', '/applications/@me', true, () => ({ status: 200, body: { id: this.applicationId, name: this.bot.username, flags: 0, bot_public: true } })),
      route('PUT', `/applications/${S}/commands`, '/applications/:id/commands', true, (ctx) => this.putCommands(ctx, 'global')),
      route('PUT', `/applications/${S}/guilds/${S}/commands`, '/applications/:id/guilds/:id/commands', true, (ctx) => this.putCommands(ctx, ctx.params[1] as string)),
      route('GET', `/applications/${S}/commands`, '/applications/:id/commands', true, () => ({ status: 200, body: this.commands.get('global') ?? [] })),
      route('GET', `/applications/${S}/guilds/${S}/commands`, '/applications/:id/guilds/:id/commands', true, (ctx) => ({ status: 200, body: this.commands.get(ctx.params[1] as string) ?? [] })),
      route('POST', `/interactions/${S}/${T}/callback`, '/interactions/:id/:token/callback', false, (ctx) => this.interactionCallback(ctx)),
      route('GET', `/webhooks/${S}/${T}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => {
        const state = this.webhookState(ctx.params[0] as string, ctx.params[1] as string);
        const message = this.findInteractionMessage(state, ctx.params[2] as string);
        if (!message) throw new HttpError(404, 10008, 'Unknown Message');
        return { status: 200, body: messageJson(message, state.guildId, this.bot, this.applicationId) };
      }),
      route('PATCH', `/webhooks/${S}/${T}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => this.editWebhookMessage(ctx)),
      route('DELETE', `/webhooks/${S}/${T}/messages/(@original|\\d+)`, '/webhooks/:id/:token/messages/:id', false, (ctx) => {
        const state = this.webhookState(ctx.params[0] as string, ctx.params[1] as string);
        const message = this.findInteractionMessage(state, ctx.params[2] as string);
        if (!message) throw new HttpError(404, 10008, 'Unknown Message');
        this.deleteMessage(message.channelId, message.id);
        if (ctx.params[2] === '@original') this.ephemeralOriginal.delete(state.id);
        return { status: 204 };
      }),
      route('POST', `/webhooks/${S}/${T}`, '/webhooks/:id/:token', false, (ctx) => {
        const state = this.webhookState(ctx.params[0] as string, ctx.params[1] as string);
        this.assertValid(checkMessageBody(ctx.body, { creating: true, hasFiles: ctx.files.length > 0 }), 'follow-up');
        const ephemeral = (Number(ctx.body.flags ?? 0) & EPHEMERAL) !== 0;
        const message = this.storeMessage(this.requireChannel(state.channelId), ctx.body, ctx.files, { interactionId: state.id, ephemeral });
        state.followUps.push(message);
        this.respond(state, this.responseFrom('reply', message));
        return { status: 200, body: messageJson(message, state.guildId, this.bot, this.applicationId) };
      }),
      route('GET', `/channels/${S}`, '/channels/:id', true, (ctx) => ({ status: 200, body: channelJson(this.channelOr404(ctx.params[0] as string)) })),
      route('POST', `/channels/${S}/messages`, '/channels/:id/messages', true, (ctx) => {
        const channel = this.channelOr404(ctx.params[0] as string);
        this.assertValid(checkMessageBody(ctx.body, { creating: true, hasFiles: ctx.files.length > 0 }), 'message');
        const message = this.storeMessage(channel, ctx.body, ctx.files, {});
        return { status: 200, body: messageJson(message, channel.guildId, this.bot, this.applicationId) };
      }),
      route('GET', `/channels/${S}/messages/${S}`, '/channels/:id/messages/:id', true, (ctx) => {
        const channel = this.channelOr404(ctx.params[0] as string);
        const message = channel.messages.find((m) => m.id === ctx.params[1]);
        if (!message) throw new HttpError(404, 10008, 'Unknown Message');
        return { status: 200, body: messageJson(message, channel.guildId, this.users.get(message.authorId) ?? this.bot, this.applicationId) };
      }),
      route('PATCH', `/channels/${S}/messages/${S}`, '/channels/:id/messages/:id', true, (ctx) => {
        const channel = this.channelOr404(ctx.params[0] as string);
        const message = channel.messages.find((m) => m.id === ctx.params[1]);
        if (!message) throw new HttpError(404, 10008, 'Unknown Message');
        if (message.authorId !== this.botUserId) throw new HttpError(403, 50005, 'Cannot edit a message authored by another user');
        this.assertValid(checkMessageBody(ctx.body, { creating: false, hasFiles: ctx.files.length > 0 }), 'message edit');
        this.editMessage(message, ctx.body, ctx.files);
        return { status: 200, body: messageJson(message, channel.guildId, this.bot, this.applicationId) };
      }),
      route('DELETE', `/channels/${S}/messages/${S}`, '/channels/:id/messages/:id', true, (ctx) => {
        const channel = this.channelOr404(ctx.params[0] as string);
        if (!channel.messages.some((m) => m.id === ctx.params[1])) throw new HttpError(404, 10008, 'Unknown Message');
        this.deleteMessage(channel.id, ctx.params[1] as string);
        return { status: 204 };
      }),
      route('POST', `/channels/${S}/threads`, '/channels/:id/threads', true, (ctx) => this.createThread(ctx.params[0] as string, ctx.body, null)),
      route('POST', `/channels/${S}/messages/${S}/threads`, '/channels/:id/messages/:id/threads', true, (ctx) =>
        this.createThread(ctx.params[0] as string, ctx.body, ctx.params[1] as string),
      ),
      route('PUT', `/channels/${S}/thread-members/(@me|\\d+)`, '/channels/:id/thread-members/:id', true, (ctx) => {
        this.channelOr404(ctx.params[0] as string);
        return { status: 204 };
      }),
      route('PUT', `/channels/${S}/(?:messages/)?pins/${S}`, '/channels/:id/pins/:id', true, (ctx) => this.setPinned(ctx, true)),
      route('DELETE', `/channels/${S}/(?:messages/)?pins/${S}`, '/channels/:id/pins/:id', true, (ctx) => this.setPinned(ctx, false)),
    ];
  }

  private putCommands(ctx: RouteContext, scope: string): { status: number; body: unknown } {
    const list = Array.isArray(ctx.body) ? (ctx.body as JsonObject[]) : [];
    const stored = list.map((command) => ({
      ...command,
      id: nextSnowflake(),
      application_id: this.applicationId,
      version: nextSnowflake(),
      type: command.type ?? 1,
      ...(scope === 'global' ? {} : { guild_id: scope }),
    }));
    this.commands.set(scope, stored);
    return { status: 200, body: stored };
  }

  private editWebhookMessage(ctx: RouteContext): { status: number; body: unknown } {
    const state = this.webhookState(ctx.params[0] as string, ctx.params[1] as string);
    const message = this.findInteractionMessage(state, ctx.params[2] as string);
    if (!message) throw new HttpError(404, 10008, 'Unknown Message');
    this.assertValid(checkMessageBody(ctx.body, { creating: false, hasFiles: ctx.files.length > 0 }), 'interaction edit');
    const firstAnswer = state.responses.length === 0;
    if (message.flags & 128) message.flags &= ~128; // the "thinking…" placeholder becomes the answer
    this.editMessage(message, ctx.body, ctx.files);
    if (firstAnswer) this.respond(state, this.responseFrom(message.id === state.componentMessageId ? 'update' : 'reply', message));
    return { status: 200, body: messageJson(message, state.guildId, this.bot, this.applicationId) };
  }

  private createThread(parentId: string, body: JsonObject, messageId: string | null): { status: number; body: unknown } {
    const parent = this.channelOr404(parentId);
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) {
      this.violations.push(`thread name is ${name.length} characters (1–100)`);
      throw new HttpError(400, 50035, 'Invalid Form Body');
    }
    const thread: ChannelState = {
      id: messageId ?? nextSnowflake(),
      guildId: parent.guildId,
      type: messageId ? 11 : Number(body.type ?? 12),
      name,
      parentId,
      ownerId: this.botUserId,
      createdAt: Date.now(),
      messages: [],
    };
    this.channels.set(thread.id, thread);
    this.guilds.get(parent.guildId)?.channels.set(thread.id, thread);
    const json = channelJson(thread);
    this.gateway.dispatch('THREAD_CREATE', { ...json, newly_created: true }, parent.guildId);
    return { status: 201, body: json };
  }

  private setPinned(ctx: RouteContext, pinned: boolean): { status: number } {
    const channel = this.channelOr404(ctx.params[0] as string);
    const message = channel.messages.find((m) => m.id === ctx.params[1]);
    if (!message) throw new HttpError(404, 10008, 'Unknown Message');
    message.pinned = pinned;
    return { status: 204 };
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const attachment = /^\/attachments\/(\d+)\//.exec(url.pathname);
    if (req.method === 'GET' && attachment) {
      const file = this.attachments.get(attachment[1] as string);
      if (!file) return this.send(res, 404, { message: 'Not Found', code: 0 });
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.content.length });
      res.end(file.content);
      return;
    }
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: JsonObject = {};
    let files: { filename: string; content: Buffer }[] = [];
    try {
      ({ body, files } = await parseBody(req.headers['content-type'] ?? '', raw));
    } catch {
      return this.finish(res, method, url, path, '(unparsed)', null, false, 400, { message: 'Invalid body', code: 50109 });
    }
    const authorized = req.headers.authorization === `Bot ${this.token}`;
    const match = this.routes.map((r) => ({ r, m: r.method === method ? r.pattern.exec(path) : null })).find((x) => x.m);
    const routeName = match?.r.name ?? path.replace(/\d{15,21}/g, ':id');
    const failure = this.takeFailure(method, routeName);
    if (failure) {
      if ('retryAfterMs' in failure) {
        const seconds = failure.retryAfterMs / 1000;
        res.setHeader('retry-after', String(Math.max(seconds, 0.001)));
        res.setHeader('x-ratelimit-remaining', '0');
        res.setHeader('x-ratelimit-reset-after', String(seconds));
        res.setHeader('x-ratelimit-scope', failure.global ? 'global' : 'user');
        if (failure.global) res.setHeader('x-ratelimit-global', 'true');
        return this.finish(res, method, url, path, routeName, body, authorized, 429, { message: 'You are being rate limited.', retry_after: seconds, global: failure.global ?? false });
      }
      return this.finish(res, method, url, path, routeName, body, authorized, failure.status, { message: failure.message ?? `Error ${failure.code}`, code: failure.code });
    }
    if (!match?.m) return this.finish(res, method, url, path, routeName, body, authorized, 404, { message: '404: Not Found', code: 0 });
    if (match.r.auth && !authorized) return this.finish(res, method, url, path, routeName, body, authorized, 401, { message: '401: Unauthorized', code: 0 });
    try {
      const result = await match.r.handle({ params: match.m.slice(1), body, files, query: url.searchParams });
      this.finish(res, method, url, path, routeName, body, authorized, result.status, result.body);
    } catch (error) {
      if (error instanceof HttpError) {
        this.finish(res, method, url, path, routeName, body, authorized, error.status, { message: error.message, code: error.code });
      } else {
        this.finish(res, method, url, path, routeName, body, authorized, 500, { message: String(error), code: 0 });
      }
    }
  }

  private finish(res: ServerResponse, method: string, url: URL, path: string, route: string, body: unknown, authorized: boolean, status: number, payload: unknown): void {
    this.calls.push({ method, path: path + url.search, route, body, status, at: Date.now(), authorized });
    this.send(res, status, payload, route);
  }

  private send(res: ServerResponse, status: number, payload: unknown, bucket = 'global'): void {
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

  private takeFailure(method: string, route: string): FailAnswer | null {
    const index = this.failures.findIndex(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.route || (typeof f.route === 'string' ? f.route === route : f.route.test(route))),
    );
    if (index < 0) return null;
    const failure = this.failures[index] as Failure;
    failure.times -= 1;
    if (failure.times <= 0) this.failures.splice(index, 1);
    return failure.answer;
  }

  private assertValid(problems: string[], what: string): void {
    if (problems.length === 0) return;
    for (const problem of problems) this.violations.push(`${what}: ${problem}`);
    throw new HttpError(400, 50035, `Invalid Form Body (${problems.join('; ')})`);
  }

  private requireGuild(guildId: string): GuildState {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    return guild;
  }

  private requireChannel(channelId: string): ChannelState {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    return channel;
  }

  private channelOr404(channelId: string): ChannelState {
    const channel = this.channels.get(channelId);
    if (!channel) throw new HttpError(404, 10003, 'Unknown Channel');
    return channel;
  }

  private guildJson(guild: GuildState): JsonObject {
    const all = [...guild.channels.values()];
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      max_members: 500_000,
      max_video_channel_users: 25,
      features: [],
      roles: [{ id: guild.id, name: '@everyone', permissions: DEFAULT_PERMISSIONS.toString(), position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0, icon: null, unicode_emoji: null }],
      emojis: [],
      stickers: [],
      soundboard_sounds: [],
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      members: [memberJson(guild.members.get(this.botUserId) as NonNullable<ReturnType<GuildState['members']['get']>>, this.bot)],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      channels: all.filter((c) => c.type !== 11 && c.type !== 12).map(channelJson),
      threads: all.filter((c) => c.type === 11 || c.type === 12).map(channelJson),
    };
  }
}

function describeInteraction(type: number, data: JsonObject): string {
  if (type === 2) return `/${String(data.name)}`;
  return String(data.custom_id);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseBody(contentType: string, raw: Buffer): Promise<{ body: JsonObject; files: { filename: string; content: Buffer }[] }> {
  if (raw.length === 0) return { body: {}, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: { filename: string; content: Buffer }[] = [];
    let body: JsonObject = {};
    for (const [name, value] of form.entries()) {
      if (name === 'payload_json' && typeof value === 'string') body = JSON.parse(value) as JsonObject;
      else if (typeof value !== 'string') files.push({ filename: value.name, content: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')) as JsonObject, files: [] };
}
