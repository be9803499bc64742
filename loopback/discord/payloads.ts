import type { JsonObject, StoredMessage } from './types.js';

// API JSON shapes the real client parses, built from the emulator's state.

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
      thread_metadata: { archived: false, auto_archive_duration: 10080, archive_timestamp: created, locked: false, create_timestamp: created },
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
    attachments: message.attachments.map((a, i) => ({ id: `${message.id}${i}`, filename: a.filename, size: a.size, url: `attachment://${a.filename}`, proxy_url: '' })),
    embeds: message.embeds,
    components: message.components,
    pinned: message.pinned,
    type: 0,
    flags: message.flags,
    ...(message.interactionId ? { webhook_id: applicationId, application_id: applicationId } : {}),
  };
}
