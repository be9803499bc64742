import type { Gateway } from './gateway.js';
import { ALL_PERMISSIONS, DEFAULT_PERMISSIONS } from './permissions.js';
import {
  channelJson,
  EPHEMERAL_FLAG,
  guildJson,
  messageJson,
  type ChannelState,
  type GuildState,
  type MemberState,
  type UserState,
} from './payloads.js';
import { nextSnowflake, shardOf } from './snowflake.js';
import { HttpError } from './http-error.js';
import type { JsonObject, StoredMessage, StoredMessageAttachment, UploadedFile } from './types.js';

/** A file a member attached to a slash command, served back at its attachment URL. */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Answer the download with a redirect here instead (a hostile or misconfigured file host). */
  redirectTo?: string;
  /** Keep sending the content over and over, never ending (a host that lies about the size). */
  endless?: boolean;
}

/**
 * What exists on the emulated Discord: users, guilds with their members, channels and threads with
 * their messages, registered commands and attachments. Every change the bot would see is sent on
 * the gateway, as Discord sends it.
 */
export class World {
  readonly bot: UserState;

  private readonly users = new Map<string, UserState>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly channels = new Map<string, ChannelState>();
  /** Registered application commands by scope: a guild id, or 'global'. */
  private readonly commands = new Map<string, JsonObject[]>();
  private readonly attachments = new Map<string, StoredAttachment>();
  /** Messages posted with `enforce_nonce`, by author and nonce, with when they were posted. */
  private readonly nonces = new Map<string, { channelId: string; messageId: string; at: number }>();

  constructor(
    private readonly gateway: Pick<Gateway, 'dispatch'>,
    readonly applicationId: string,
    botUsername: string,
  ) {
    // The bot user shares the application's id, as it does for applications created today.
    this.bot = { id: applicationId, username: botUsername, bot: true };
    this.users.set(this.bot.id, this.bot);
  }

  // ── building ──────────────────────────────────────────────────────────────────────────────

  createGuild(input: { name?: string } = {}): GuildState {
    const guild: GuildState = {
      id: nextSnowflake(),
      name: input.name ?? 'Loopback Guild',
      ownerId: this.bot.id,
      channels: new Map(),
      members: new Map(),
    };
    guild.members.set(this.bot.id, { userId: this.bot.id, permissions: ALL_PERMISSIONS, roles: [], joinedAt: new Date().toISOString() });
    this.guilds.set(guild.id, guild);
    this.gateway.dispatch('GUILD_CREATE', guildJson(guild, this.bot), guild.id);
    return guild;
  }

  createChannel(guildId: string, input: { name?: string; type?: number } = {}): ChannelState {
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
    return channel;
  }

  /** A thread the bot starts under a channel; one started from a message takes the message's id. */
  createThread(parent: ChannelState, input: { name: string; type: number; id?: string }): ChannelState {
    const thread: ChannelState = {
      id: input.id ?? nextSnowflake(),
      guildId: parent.guildId,
      type: input.type,
      name: input.name,
      parentId: parent.id,
      ownerId: this.bot.id,
      createdAt: Date.now(),
      messages: [],
    };
    this.channels.set(thread.id, thread);
    this.guilds.get(parent.guildId)?.channels.set(thread.id, thread);
    this.gateway.dispatch('THREAD_CREATE', { ...channelJson(thread), newly_created: true }, parent.guildId);
    return thread;
  }

  createUser(input: { username?: string; bot?: boolean } = {}): UserState {
    const user: UserState = { id: nextSnowflake(), username: input.username ?? `user${this.users.size}`, bot: input.bot ?? false };
    this.users.set(user.id, user);
    return user;
  }

  addMember(guildId: string, userId: string, input: { permissions?: bigint; roles?: string[] } = {}): void {
    this.requireGuild(guildId).members.set(userId, {
      userId,
      permissions: input.permissions ?? DEFAULT_PERMISSIONS,
      roles: input.roles ?? [],
      joinedAt: new Date().toISOString(),
    });
  }

  deleteChannel(channelId: string): void {
    const channel = this.channels.get(channelId);
    if (!channel) return;
    this.channels.delete(channelId);
    this.guilds.get(channel.guildId)?.channels.delete(channelId);
    this.gateway.dispatch(
      channel.type === 11 ? 'THREAD_DELETE' : 'CHANNEL_DELETE',
      { id: channelId, guild_id: channel.guildId, type: channel.type, parent_id: channel.parentId },
      channel.guildId,
    );
  }

  // ── looking up ────────────────────────────────────────────────────────────────────────────
  // require… throws a plain Error: the test itself named something that does not exist.

  requireGuild(guildId: string): GuildState {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    return guild;
  }

  requireChannel(channelId: string): ChannelState {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    return channel;
  }

  findChannel(channelId: string): ChannelState | undefined {
    return this.channels.get(channelId);
  }

  findUser(userId: string): UserState | undefined {
    return this.users.get(userId);
  }

  findMember(guildId: string, userId: string): MemberState | undefined {
    return this.guilds.get(guildId)?.members.get(userId);
  }

  findMessage(channelId: string, messageId: string): StoredMessage | undefined {
    return this.channels.get(channelId)?.messages.find((m) => m.id === messageId);
  }

  threadsOf(parentChannelId: string): ChannelState[] {
    return [...this.channels.values()].filter((c) => c.parentId === parentChannelId);
  }

  guildsOnShard(shard: [number, number]): GuildState[] {
    return [...this.guilds.values()].filter((g) => shardOf(g.id, shard[1]) === shard[0]);
  }

  // ── messages ──────────────────────────────────────────────────────────────────────────────

  /** Posts a message by the bot; an ephemeral one is kept out of the channel, only its interaction sees it. */
  postMessage(channel: ChannelState, body: JsonObject, files: UploadedFile[], extra: Partial<StoredMessage>): StoredMessage {
    const message: StoredMessage = {
      id: nextSnowflake(),
      channelId: channel.id,
      authorId: this.bot.id,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? (body.embeds as JsonObject[]) : [],
      components: Array.isArray(body.components) ? (body.components as JsonObject[]) : [],
      flags: typeof body.flags === 'number' ? body.flags : 0,
      editedAt: null,
      createdAt: Date.now(),
      allowedMentions: body.allowed_mentions ?? null,
      attachments: files.map(newAttachment),
      ephemeral: false,
      pinned: false,
      ...extra,
    };
    if (!message.ephemeral) {
      channel.messages.push(message);
      this.gateway.dispatch('MESSAGE_CREATE', this.toMessageJson(message, channel.guildId), channel.guildId, { messageEvent: true });
    }
    return message;
  }

  /**
   * The message this author already posted with this nonce in the past few minutes, when the body asks
   * for it (`enforce_nonce`): Discord returns that message instead of creating another.
   */
  messageByNonce(body: JsonObject): StoredMessage | undefined {
    const key = nonceKey(this.bot.id, body);
    const seen = key ? this.nonces.get(key) : undefined;
    if (!seen || Date.now() - seen.at > NONCE_WINDOW_MS) return undefined;
    return this.findMessage(seen.channelId, seen.messageId);
  }

  /** Remembers a posted message's nonce when it asked for the nonce to be enforced. */
  rememberNonce(message: StoredMessage, body: JsonObject): void {
    const key = nonceKey(message.authorId, body);
    if (key) this.nonces.set(key, { channelId: message.channelId, messageId: message.id, at: message.createdAt });
  }

  /**
   * Applies an edit: only the fields the body carries change, and a message never turns ephemeral or back.
   * Attachments as Discord's v10 edit treats them: without `attachments` the files sent are added to
   * the message's; with it, the message keeps exactly the entries listed, each the id of one of its
   * current attachments or the index n of a file sent as `files[n]` (anything else is refused, 400).
   */
  editMessage(message: StoredMessage, body: JsonObject, files: UploadedFile[]): void {
    const attachments = attachmentsAfterEdit(message, body, files);
    if (typeof body.content === 'string' || body.content === null) message.content = body.content ?? '';
    if (Array.isArray(body.embeds) || body.embeds === null) message.embeds = (body.embeds as JsonObject[] | null) ?? [];
    if (Array.isArray(body.components)) message.components = body.components as JsonObject[];
    if (typeof body.flags === 'number') message.flags = (message.flags & EPHEMERAL_FLAG) | (body.flags & ~EPHEMERAL_FLAG);
    if (body.allowed_mentions !== undefined) message.allowedMentions = body.allowed_mentions;
    message.attachments = attachments;
    message.editedAt = Date.now();
    if (!message.ephemeral) {
      const guildId = this.channels.get(message.channelId)?.guildId ?? null;
      this.gateway.dispatch('MESSAGE_UPDATE', this.toMessageJson(message, guildId), guildId, { messageEvent: true });
    }
  }

  deleteMessage(channelId: string, messageId: string): void {
    const channel = this.channels.get(channelId);
    if (channel) channel.messages = channel.messages.filter((m) => m.id !== messageId);
  }

  toMessageJson(message: StoredMessage, guildId: string | null): JsonObject {
    return messageJson(message, guildId, this.users.get(message.authorId) ?? this.bot, this.applicationId);
  }

  // ── commands and attachments ──────────────────────────────────────────────────────────────

  setCommands(scope: string, commands: JsonObject[]): void {
    this.commands.set(scope, commands);
  }

  commandsIn(scope: string): JsonObject[] {
    return this.commands.get(scope) ?? [];
  }

  /** The command a member in this guild would run under that name: the guild's own first, then the global one. */
  findCommand(guildId: string, name: string): JsonObject | undefined {
    return [...this.commandsIn(guildId), ...this.commandsIn('global')].find((c) => c.name === name);
  }

  storeAttachment(attachment: StoredAttachment): string {
    const id = nextSnowflake();
    this.attachments.set(id, attachment);
    return id;
  }

  findAttachment(id: string): StoredAttachment | undefined {
    return this.attachments.get(id);
  }
}

function newAttachment(file: UploadedFile): StoredMessageAttachment {
  return { id: nextSnowflake(), filename: file.filename, size: file.content.length, content: file.content };
}

/** The message's attachments after an edit (see World.editMessage); throws Discord's 400 for an entry it cannot resolve. */
function attachmentsAfterEdit(message: StoredMessage, body: JsonObject, files: UploadedFile[]): StoredMessageAttachment[] {
  if (body.attachments === undefined) return [...message.attachments, ...files.map(newAttachment)];
  if (!Array.isArray(body.attachments)) throw new HttpError(400, 50035, 'Invalid Form Body: attachments must be an array');
  const entries = body.attachments as unknown[];
  return entries.map((entry, at) => {
    const id = typeof entry === 'object' && entry !== null ? (entry as JsonObject).id : undefined;
    const kept = message.attachments.find((a) => a.id === String(id));
    if (kept) return kept;
    // Indexes name files sent with this edit, `files[n]`; what a file is called comes from the entry or the upload.
    const file = files.find((f, i) => (f.index ?? i) === Number(id) && /^\d{1,2}$/.test(String(id)));
    if (!file)
      throw new HttpError(
        400,
        50035,
        `Invalid Form Body: attachments[${at}].id ${String(id)} is neither an attachment of the message nor a file sent with the edit`,
      );
    const filename = typeof (entry as JsonObject).filename === 'string' ? ((entry as JsonObject).filename as string) : file.filename;
    return { ...newAttachment(file), filename };
  });
}

/** Discord checks a nonce "in the past few minutes"; the emulator honours the short end of that. */
const NONCE_WINDOW_MS = 2 * 60_000;

function nonceKey(authorId: string, body: JsonObject): string | null {
  const nonce = body.nonce;
  if (body.enforce_nonce !== true || (typeof nonce !== 'string' && typeof nonce !== 'number')) return null;
  return `${authorId}:${String(nonce)}`;
}
