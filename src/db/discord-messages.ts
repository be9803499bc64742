import type { Insertable } from 'kysely';
import type { DiscordMessagesTable } from './database.js';
import type { Executor } from './executor.js';

// Which Discord message shows which chapter, page or revision.

/** Records a message unless one like it is recorded already (the same message, or the page's one card). */
export async function insertDiscordMessageIfAbsent(db: Executor, message: Insertable<DiscordMessagesTable>): Promise<void> {
  await db.insertInto('discord_messages').values(message).onConflict((oc) => oc.doNothing()).execute();
}
