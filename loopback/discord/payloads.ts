import { DEFAULT_PERMISSIONS } from './permissions.js';
import type { JsonObject, StoredMessage } from './types.js';

// API JSON shapes the real client parses, built from the emulator's state.

export const EPHEMERAL_FLAG = 64;
/** The "thinking…" placeholder a deferred reply shows until it is edited. */
export const LOADING_FLAG = 128;

export interface UserState {
  id: string;
  username: string;
  bot: boolean;
}

export interface MemberState {
  userId: string;
  permissions: bigint;
  roles: string[];
  joinedAt: string;
}

export interface ChannelState {
  id: string;
  guildId: string;
  type: number;
  name: string;
  parentId: string | null;
  ownerId: string | null;
  createdAt: number;
  messages: StoredMessage[];
}

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  channels: Map<string, ChannelState>;
  members: Map<string, MemberState>;
}

export function userJson(user: UserState): JsonObject {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.username,
    avatar: null,
    bot: user.bot,
    flags: 0,
    public_flags: 0,
  };
}

export function memberJson(member: MemberState, user: UserState): JsonObject {
  return {
    user: userJson(user),
    roles: member.roles,
    joined_at: member.joinedAt,
    nick: null,
    avatar: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    premium_since: null,
    communication_disabled_until: null,
    permissions: member.permissions.toString(),
  };
}

export function channelJson(channel: ChannelState): JsonObject {
  const base: JsonObject = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: channel.parentId,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    rate_limit_per_user: 0,
    flags: 0,
    last_message_id: channel.messages.at(-1)?.id ?? null,
  };
  if (channel.type === 11 || channel.type === 12) {
    const created = new Date(channel.createdAt).toISOString();
    return {
      ...base,
      owner_id: channel.ownerId,
      message_count: channel.messages.length,
      member_count: 1,
      total_message_sent: channel.messages.length,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 10080,
        archive_timestamp: created,
        locked: false,
        create_timestamp: created,
      },
    };
  }
  return { ...base, topic: null };
}

export function messageJson(message: StoredMessage, guildId: string | null, author: UserState, applicationId: string): JsonObject {
  return {
    id: message.id,
    channel_id: message.channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    author: userJson(author),
    content: message.content,
    timestamp: new Date(message.createdAt).toISOString(),
    edited_timestamp: message.editedAt ? new Date(message.editedAt).toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: `attachment://${a.filename}`,
      proxy_url: '',
    })),
    embeds: message.embeds,
    components: message.components,
    pinned: message.pinned,
    type: 0,
    flags: message.flags,
    ...(message.interactionId ? { webhook_id: applicationId, application_id: applicationId } : {}),
  };
}

export function guildJson(guild: GuildState, bot: UserState): JsonObject {
  const all = [...guild.channels.values()];
  const botMember = guild.members.get(bot.id);
  if (!botMember) throw new Error(`the bot is not a member of guild ${guild.id}`);
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
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        permissions: DEFAULT_PERMISSIONS.toString(),
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
        icon: null,
        unicode_emoji: null,
      },
    ],
    emojis: [],
    stickers: [],
    soundboard_sounds: [],
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    members: [memberJson(botMember, bot)],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: all.filter((c) => c.type !== 11 && c.type !== 12).map(channelJson),
    threads: all.filter((c) => c.type === 11 || c.type === 12).map(channelJson),
  };
}

/** READY's data; the guilds are listed unavailable and follow as GUILD_CREATE, as Discord does. */
export function readyJson(input: {
  bot: UserState;
  applicationId: string;
  guildIds: string[];
  sessionId: string;
  shard: [number, number];
}): JsonObject {
  return {
    v: 10,
    user: { ...userJson(input.bot), verified: true, mfa_enabled: false },
    guilds: input.guildIds.map((id) => ({ id, unavailable: true })),
    session_id: input.sessionId,
    session_type: 'normal',
    shard: input.shard,
    application: { id: input.applicationId, flags: 0 },
    user_settings: {},
    relationships: [],
    private_channels: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    auth: {},
  };
}
