import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Faults, type HeldCall } from './faults.js';
import { Gateway } from './gateway.js';
import {
  Interactions,
  type ButtonClickInput,
  type ModalSubmitInput,
  type SelectChoiceInput,
  type SlashCommandInput,
} from './interactions.js';
import { guildJson, readyJson } from './payloads.js';
import { RestApi } from './rest-api.js';
import { RestLimits } from './rest-limits.js';
import { SessionStarts, type Identify } from './session-starts.js';
import { botRoutes } from './routes/bot.js';
import { channelRoutes } from './routes/channels.js';
import { commandRoutes } from './routes/commands.js';
import { interactionRoutes } from './routes/interactions.js';
import { threadRoutes } from './routes/threads.js';
import { nextSnowflake } from './snowflake.js';
import type { FailAnswer, InteractionHandle, RecordedCall, StoredMessage } from './types.js';
import { World } from './world.js';

export { renderChannel } from './render-channel.js';
export type { HeldCall } from './faults.js';
export type { FailAnswer, InteractionHandle, RecordedCall, StoredMessage } from './types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EmulatorOptions {
  applicationId?: string;
  botToken?: string;
  botUsername?: string;
  /** How long the bot has to acknowledge an interaction (Discord gives 3 s); tests shorten it. */
  ackDeadlineMs?: number;
  /** The shard count /gateway/bot recommends. */
  shards?: number;
  /** Identifies allowed per 5 s, one per bucket (shard_id % max_concurrency); Discord gives most bots 1. */
  maxConcurrency?: number;
  /** Session starts a day (session_start_limit.total, 1000 by default). */
  sessionStartsPerDay?: number;
  /** Discord's global REST limit for the token, across every client (50 by default; 0 turns it off). */
  globalRequestsPerSecond?: number;
}

/**
 * A loopback Discord: an HTTP + WebSocket server that the real discord.js client logs in to.
 * Tests inject interactions as members of a guild, and read back the channels as a person would.
 * It enforces Discord's limits and records every REST call.
 *
 * This class only composes the parts: the world (world.ts), the gateway (gateway.ts), interactions
 * and their answers (interactions.ts), the REST routes (routes/) and injected failures (faults.ts).
 */
export class DiscordEmulator {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly apiUrl: string;
  /** Where attachments are downloaded from: the origin the bot must allow (DISCORD_ATTACHMENT_ORIGINS). */
  readonly attachmentOrigin: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;

  private readonly world: World;
  private readonly gateway: Gateway;
  private readonly interactions: Interactions;
  private readonly faults = new Faults();
  private readonly rest: RestApi;
  private readonly restLimits: RestLimits;
  private readonly sessionStarts: SessionStarts;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    port: number,
    private readonly shards: number,
    options: {
      applicationId: string;
      token: string;
      botUsername: string;
      ackDeadlineMs: number;
      maxConcurrency: number;
      sessionStartsPerDay: number;
      globalRequestsPerSecond: number;
    },
  ) {
    const origin = `http://127.0.0.1:${port}`;
    const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    this.apiUrl = `${origin}/api`;
    this.attachmentOrigin = origin;
    this.applicationId = options.applicationId;
    this.token = options.token;
    this.botUserId = options.applicationId;
    this.sessionStarts = new SessionStarts(options.maxConcurrency, options.sessionStartsPerDay, this.violations);
    this.restLimits = new RestLimits(options.globalRequestsPerSecond, this.violations);
    // The gateway asks the world for READY and GUILD_CREATE only once a client connects, after construction.
    this.gateway = new Gateway({
      token: this.token,
      resumeUrl: () => gatewayUrl,
      readyPayload: (sessionId, shard) =>
        readyJson({
          bot: this.world.bot,
          applicationId: this.applicationId,
          guildIds: this.world.guildsOnShard(shard).map((g) => g.id),
          sessionId,
          shard,
        }),
      guildsFor: (shard) => this.world.guildsOnShard(shard).map((g) => guildJson(g, this.world.bot)),
      sessionStarts: this.sessionStarts,
    });
    this.world = new World(this.gateway, options.applicationId, options.botUsername);
    this.interactions = new Interactions(this.world, this.gateway, this.violations, {
      ackDeadlineMs: options.ackDeadlineMs,
      attachmentBaseUrl: `${origin}/attachments`,
    });
    this.rest = new RestApi({
      routes: [
        ...botRoutes(this.world, { url: gatewayUrl, shards, sessionStarts: this.sessionStarts }),
        ...commandRoutes(this.world),
        ...interactionRoutes(this.world, this.interactions, this.violations),
        ...channelRoutes(this.world, this.violations),
        ...threadRoutes(this.world, this.violations),
      ],
      faults: this.faults,
      world: this.world,
      calls: this.calls,
      botToken: this.token,
      baseUrl: origin,
      limits: this.restLimits,
    });
  }

  static async start(options: EmulatorOptions = {}): Promise<DiscordEmulator> {
    let instance: DiscordEmulator | null = null;
    // The port is only known after listen, and the parts need it: requests wait for the instance.
    const server = http.createServer((req, res) => {
      if (instance) void instance.rest.handle(req, res);
    });
    server.on('upgrade', (req, socket, head) => {
      if (instance && (req.url ?? '').startsWith('/gateway')) instance.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const applicationId = options.applicationId ?? nextSnowflake();
    instance = new DiscordEmulator(server, port, options.shards ?? 1, {
      applicationId,
      token: options.botToken ?? `${Buffer.from(applicationId).toString('base64')}.loopback.${randomBytes(12).toString('hex')}`,
      botUsername: options.botUsername ?? 'storyroom',
      ackDeadlineMs: options.ackDeadlineMs ?? 3_000,
      maxConcurrency: options.maxConcurrency ?? 1,
      sessionStartsPerDay: options.sessionStartsPerDay ?? 1000,
      globalRequestsPerSecond: options.globalRequestsPerSecond ?? 50,
    });
    server.on('connection', (socket) => {
      instance?.sockets.add(socket);
      socket.on('close', () => instance?.sockets.delete(socket));
    });
    return instance;
  }

  // ── the world ──────────────────────────────────────────────────────────────────────────────

  createGuild(input: { name?: string } = {}): { id: string } {
    return { id: this.world.createGuild(input).id };
  }

  createChannel(guildId: string, input: { name?: string; type?: number } = {}): { id: string } {
    return { id: this.world.createChannel(guildId, input).id };
  }

  createUser(input: { username?: string; bot?: boolean } = {}): { id: string; username: string } {
    const user = this.world.createUser(input);
    return { id: user.id, username: user.username };
  }

  addMember(guildId: string, userId: string, input: { permissions?: bigint; roles?: string[] } = {}): void {
    this.world.addMember(guildId, userId, input);
  }

  /** What the bot may do in this guild: interactions carry it as app_permissions (the bot starts with every permission). */
  setBotPermissions(guildId: string, permissions: bigint): void {
    const member = this.world.findMember(guildId, this.world.bot.id);
    if (!member) throw new Error(`the bot is not in guild ${guildId}`);
    member.permissions = permissions;
  }

  // ── interactions ───────────────────────────────────────────────────────────────────────────

  slashCommand(input: SlashCommandInput): InteractionHandle {
    return this.interactions.slashCommand(input);
  }

  /** A member typing into an autocomplete option; the handle's response() has the offered `choices`. */
  autocomplete(input: SlashCommandInput & { focused: string }): InteractionHandle {
    return this.interactions.autocomplete(input);
  }

  interactionTokens(): string[] {
    return this.interactions.tokens();
  }

  clickButton(input: ButtonClickInput): InteractionHandle {
    return this.interactions.clickButton(input);
  }

  /** A member choosing in a string select (checked against what the select offers, as the client does). */
  chooseOption(input: SelectChoiceInput): InteractionHandle {
    return this.interactions.chooseOption(input);
  }

  submitModal(input: ModalSubmitInput): InteractionHandle {
    return this.interactions.submitModal(input);
  }

  /** Delivers the same interaction again, as Discord sometimes does. */
  redeliver(handle: InteractionHandle): void {
    this.interactions.redeliver(handle);
  }

  // ── reading back ──────────────────────────────────────────────────────────────────────────

  messages(channelId: string): StoredMessage[] {
    return [...(this.world.findChannel(channelId)?.messages ?? [])];
  }

  message(channelId: string, messageId: string): StoredMessage | undefined {
    return this.world.findMessage(channelId, messageId);
  }

  threads(parentChannelId: string): { id: string; name: string; parentId: string }[] {
    return this.world.threadsOf(parentChannelId).map((c) => ({ id: c.id, name: c.name, parentId: parentChannelId }));
  }

  registeredCommands(guildId?: string): unknown[] {
    return this.world.commandsIn(guildId ?? 'global');
  }

  /** Shards connected and identified right now. */
  connectedShards(): number {
    return this.gateway.connectedShards().length;
  }

  /** Every IDENTIFY so far, with its shard and time, and whether it came too soon in its bucket. */
  identifies(): Identify[] {
    return [...this.sessionStarts.identifies];
  }

  /** Changes the token's global limit from now on (a bench makes Discord's budget what limits the bot). */
  setGlobalRequestsPerSecond(perSecond: number): void {
    this.restLimits.setPerSecond(perSecond);
  }

  /** Calls refused by the token's global limit, and invalid requests (401, 403, 429) in the last 10 minutes. */
  restLimitCounts(): { globalRateLimited: number; invalidRequests: number } {
    return this.restLimits.counts();
  }

  async waitForBotConnection(options: { timeoutMs?: number; shards?: number } = {}): Promise<void> {
    const wanted = options.shards ?? this.shards;
    await this.waitFor(() => this.gateway.connectedShards().length >= wanted, {
      timeoutMs: options.timeoutMs ?? 30_000,
      description: `${wanted} gateway shard(s) to connect`,
    });
    // The client reports ready once the guilds it was promised have arrived; give it a moment.
    await sleep(100);
  }

  /** Polls until the probe gives a value; a probe may be async (a database read): its answer is awaited. */
  async waitFor<T>(
    probe: () => T | undefined | null | false | PromiseLike<T | undefined | null | false>,
    options: { timeoutMs?: number; description?: string } = {},
  ): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.description ?? 'a condition'}`);
      await sleep(10);
    }
  }

  // ── faults ────────────────────────────────────────────────────────────────────────────────

  /** Answers the next matching REST call(s) with this failure instead of running them. */
  failNext(match: { method?: string; route?: string | RegExp; times?: number }, answer: FailAnswer): void {
    this.faults.failNext(match, answer);
  }

  /**
   * Holds the next matching REST call after it was carried out, before it is answered, until the test
   * releases it: what happens when the caller's process or database fails in between.
   */
  holdNext(match: { method?: string; route?: string | RegExp }): HeldCall {
    return this.faults.holdNext(match);
  }

  /** Removes a message as a moderator would, without telling the bot. */
  deleteMessage(channelId: string, messageId: string): void {
    this.world.deleteMessage(channelId, messageId);
  }

  deleteChannel(channelId: string): void {
    this.world.deleteChannel(channelId);
  }

  disconnectGateway(): void {
    this.gateway.disconnectAll();
  }

  /** Takes the gateway down (every session closed, new connections refused) until gatewayOutage(false). */
  gatewayOutage(down: boolean): void {
    this.gateway.setOutage(down);
  }

  async close(): Promise<void> {
    this.interactions.rejectAll(new Error('emulator closed'));
    await this.gateway.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
