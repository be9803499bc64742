import type { Executor } from '../db/executor.js';

/** A jump link to the draft's message, with a leading space, or nothing when it has none. */
export async function draftLink(db: Executor, guildId: string, revisionId: number): Promise<string> {
  const message = await db.selectFrom('discord_messages').select(['channel_id', 'message_id']).where('revision_id', '=', revisionId).where('purpose', '=', 'draft').executeTakeFirst();
  return message ? ` https://discord.com/channels/${guildId}/${message.channel_id}/${message.message_id}` : '';
}
