import type { Executor } from './executor.js';

export function getStoryByChannel(db: Executor, guildId: string, channelId: string) {
  return db.selectFrom('stories').selectAll().where('guild_id', '=', guildId).where('channel_id', '=', channelId).executeTakeFirst();
}

/** A chapter found by its thread, only within the guild that asks: one guild never reaches another's data. */
export function getChapterByThread(db: Executor, guildId: string, threadId: string) {
  return db
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .selectAll('c')
    .select(['s.guild_id', 's.title as story_title', 's.quorum', 's.max_revisions', 's.channel_id as story_channel_id'])
    .where('c.thread_id', '=', threadId)
    .where('s.guild_id', '=', guildId)
    .executeTakeFirst();
}

export function getChapter(db: Executor, chapterId: number) {
  return db
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .selectAll('c')
    .select(['s.guild_id', 's.title as story_title', 's.quorum', 's.max_revisions'])
    .where('c.id', '=', chapterId)
    .executeTakeFirst();
}

export async function getMemberRole(db: Executor, chapterId: number, userId: string) {
  const row = await db
    .selectFrom('chapter_members')
    .select('role')
    .where('chapter_id', '=', chapterId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** Owners and writers: the people who vote. */
export async function countCoWriters(db: Executor, chapterId: number): Promise<number> {
  const row = await db
    .selectFrom('chapter_members')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('chapter_id', '=', chapterId)
    .where('role', 'in', ['owner', 'writer'])
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The thread is gone or closed to us: the chapter waits for an admin, and jobs stop knocking. */
export async function markChapterNeedsAttention(db: Executor, chapterId: number, reason: string): Promise<void> {
  await db.updateTable('chapters').set({ status: 'needs_attention', attention_reason: reason }).where('id', '=', chapterId).execute();
}

/** Owners and writers in the order they joined: whom a reminder names. */
export async function listCoWriterIds(db: Executor, chapterId: number): Promise<string[]> {
  const rows = await db.selectFrom('chapter_members').select('user_id').where('chapter_id', '=', chapterId).where('role', 'in', ['owner', 'writer']).orderBy('joined_at').execute();
  return rows.map((row) => row.user_id);
}
