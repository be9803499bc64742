import type { Transaction } from 'kysely';
import type { Chapter, Database, MemberRole, NewChapter, NewChapterMember } from './database.js';
import type { Executor } from './executor.js';

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
  const rows = await db
    .selectFrom('chapter_members')
    .select('user_id')
    .where('chapter_id', '=', chapterId)
    .where('role', 'in', ['owner', 'writer'])
    .orderBy('joined_at')
    .execute();
  return rows.map((row) => row.user_id);
}

/** The number the story's next chapter gets: lock the story first, or two chapters may get the same one. */
export async function nextChapterNumber(db: Executor, storyId: number): Promise<number> {
  const row = await db
    .selectFrom('chapters')
    .select((eb) => eb.fn.max<number | null>('number').as('max'))
    .where('story_id', '=', storyId)
    .executeTakeFirstOrThrow();
  return (row.max ?? 0) + 1;
}

export function insertChapter(db: Executor, chapter: NewChapter): Promise<Chapter> {
  return db.insertInto('chapters').values(chapter).returningAll().executeTakeFirstOrThrow();
}

/** Locks the chapter's row until the transaction ends. */
export async function lockChapter(trx: Transaction<Database>, chapterId: number): Promise<void> {
  await trx.selectFrom('chapters').select('id').where('id', '=', chapterId).forUpdate().execute();
}

export function getChapterByNumber(db: Executor, storyId: number, number: number): Promise<Chapter | undefined> {
  return db.selectFrom('chapters').selectAll().where('story_id', '=', storyId).where('number', '=', number).executeTakeFirst();
}

/** Open again after an admin recovered it, in a new thread when one is given. */
export async function reopenChapterRow(db: Executor, chapterId: number, newThreadId: string | null): Promise<void> {
  await db
    .updateTable('chapters')
    .set({ status: 'open', attention_reason: null, ...(newThreadId ? { thread_id: newThreadId, card_message_id: null } : {}) })
    .where('id', '=', chapterId)
    .execute();
}

/** Deletes a chapter that never got its thread (its members go with it); false if it has one. */
export async function deleteChapterWithoutThread(db: Executor, chapterId: number): Promise<boolean> {
  const result = await db.deleteFrom('chapters').where('id', '=', chapterId).where('thread_id', 'is', null).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function setChapterThread(db: Executor, chapterId: number, threadId: string): Promise<void> {
  await db.updateTable('chapters').set({ thread_id: threadId }).where('id', '=', chapterId).execute();
}

export async function setChapterCardMessage(db: Executor, chapterId: number, messageId: string): Promise<void> {
  await db.updateTable('chapters').set({ card_message_id: messageId }).where('id', '=', chapterId).execute();
}

export function listChapterMembers(db: Executor, chapterId: number) {
  return db
    .selectFrom('chapter_members')
    .select(['user_id', 'role', 'joined_at'])
    .where('chapter_id', '=', chapterId)
    .orderBy('joined_at')
    .execute();
}

export async function countChapterOwners(db: Executor, chapterId: number): Promise<number> {
  const row = await db
    .selectFrom('chapter_members')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('chapter_id', '=', chapterId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertChapterMember(db: Executor, member: NewChapterMember): Promise<void> {
  await db.insertInto('chapter_members').values(member).execute();
}

/** Adds the member unless they are in the chapter already (in whatever role): true when added. */
export async function insertChapterMemberIfAbsent(db: Executor, member: NewChapterMember): Promise<boolean> {
  const inserted = await db
    .insertInto('chapter_members')
    .values(member)
    .onConflict((oc) => oc.columns(['chapter_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Adds the member with this role, or gives the role to a member already there. */
export async function upsertChapterMember(db: Executor, member: NewChapterMember & { role: MemberRole }): Promise<void> {
  await db
    .insertInto('chapter_members')
    .values(member)
    .onConflict((oc) => oc.columns(['chapter_id', 'user_id']).doUpdateSet({ role: member.role }))
    .execute();
}

export async function deleteChapterMember(db: Executor, chapterId: number, userId: string): Promise<void> {
  await db.deleteFrom('chapter_members').where('chapter_id', '=', chapterId).where('user_id', '=', userId).execute();
}

/** Remembers that an owner removed this member, so Join does not let them back in. */
export async function recordMemberRemoval(db: Executor, removal: { chapterId: number; userId: string; removedBy: string }): Promise<void> {
  await db
    .insertInto('chapter_member_removals')
    .values({ chapter_id: removal.chapterId, user_id: removal.userId, removed_by: removal.removedBy })
    .onConflict((oc) => oc.columns(['chapter_id', 'user_id']).doUpdateSet({ removed_by: removal.removedBy, removed_at: new Date() }))
    .execute();
}

/** An owner added the member again: their removal no longer stands. */
export async function clearMemberRemoval(db: Executor, chapterId: number, userId: string): Promise<void> {
  await db.deleteFrom('chapter_member_removals').where('chapter_id', '=', chapterId).where('user_id', '=', userId).execute();
}

export async function wasRemovedFromChapter(db: Executor, chapterId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('chapter_member_removals')
    .select('user_id')
    .where('chapter_id', '=', chapterId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The chapter's running summary, with what the summariser needs to extend it. */
export function getChapterSummary(db: Executor, chapterId: number) {
  return db
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['c.id', 'c.title', 'c.story_id', 'c.summary', 'c.summary_through_page', 's.narrator_model'])
    .where('c.id', '=', chapterId)
    .executeTakeFirst();
}

/** Replaces the summary only if it still covers `fromThroughPage`: of two summarisers, the later one changes nothing. */
export async function setChapterSummary(
  db: Executor,
  chapterId: number,
  summary: { text: string; throughPage: number; fromThroughPage: number },
): Promise<void> {
  await db
    .updateTable('chapters')
    .set({ summary: summary.text, summary_through_page: summary.throughPage })
    .where('id', '=', chapterId)
    .where('summary_through_page', '=', summary.fromThroughPage)
    .execute();
}
