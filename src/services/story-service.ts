import type { Db } from '../db/connection.js';
import type { Story } from '../db/database.js';
import { getChapterByThread, getStoryByChannel } from '../db/chapters.js';
import { UserError } from './user-error.js';

/** `/story setup`: this channel becomes a story room. Running it again renames the story. */
export async function setupStory(
  db: Db,
  place: { guildId: string; channelId: string; userId: string },
  title: string,
): Promise<{ story: Story; created: boolean }> {
  const existing = await getStoryByChannel(db, place.guildId, place.channelId);
  if (existing) {
    const story = await db.updateTable('stories').set({ title }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    return { story, created: false };
  }
  const story = await db
    .insertInto('stories')
    .values({ guild_id: place.guildId, channel_id: place.channelId, title, created_by: place.userId })
    .onConflict((oc) => oc.columns(['guild_id', 'channel_id']).doUpdateSet({ title }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { story, created: true };
}

/** The story whose room this channel is, or a refusal that says where to go instead. */
export async function requireStoryRoom(db: Db | Parameters<typeof getStoryByChannel>[0], place: { guildId: string; channelId: string }): Promise<Story> {
  const story = await getStoryByChannel(db, place.guildId, place.channelId);
  if (story) return story;
  const inChapter = await getChapterByThread(db, place.guildId, place.channelId);
  throw new UserError(
    inChapter
      ? 'You are inside a chapter thread: start the next chapter from the story channel.'
      : 'This channel is not a story room yet. An admin can run /story setup here first.',
  );
}

/** Reserves the next chapter number; the caller opens the thread and then calls attachChapterThread. */
export async function createChapter(db: Db, place: { guildId: string; channelId: string; userId: string }, title: string) {
  return db.transaction().execute(async (trx) => {
    const story = await requireStoryRoom(trx, place);
    // Locking the story serialises chapter numbering.
    await trx.selectFrom('stories').select('id').where('id', '=', story.id).forUpdate().execute();
    const last = await trx
      .selectFrom('chapters')
      .select((eb) => eb.fn.max<number | null>('number').as('max'))
      .where('story_id', '=', story.id)
      .executeTakeFirstOrThrow();
    const chapter = await trx
      .insertInto('chapters')
      .values({ story_id: story.id, number: (last.max ?? 0) + 1, title, created_by: place.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('chapter_members').values({ chapter_id: chapter.id, user_id: place.userId, role: 'owner' }).execute();
    return { story, chapter };
  });
}

export async function attachChapterThread(db: Db, chapterId: number, threadId: string): Promise<void> {
  await db.updateTable('chapters').set({ thread_id: threadId }).where('id', '=', chapterId).execute();
}

export async function recordChapterCard(db: Db, chapterId: number, channelId: string, messageId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('chapters').set({ card_message_id: messageId }).where('id', '=', chapterId).execute();
    await trx
      .insertInto('discord_messages')
      .values({ channel_id: channelId, message_id: messageId, purpose: 'chapter_card', chapter_id: chapterId })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  });
}

/** Join by the chapter's thread (the command) or by the chapter id (the card's button), within this guild. */
export async function joinChapter(
  db: Db,
  place: { guildId: string; channelId: string; userId: string },
  chapterId: number | null,
): Promise<{ chapterId: number; chapterTitle: string; joined: boolean; coWriters: number }> {
  return db.transaction().execute(async (trx) => {
    const chapter = await getChapterByThread(trx, place.guildId, place.channelId);
    if (!chapter || (chapterId !== null && chapter.id !== chapterId)) {
      throw new UserError('Join a chapter from inside its thread.');
    }
    const inserted = await trx
      .insertInto('chapter_members')
      .values({ chapter_id: chapter.id, user_id: place.userId, role: 'writer' })
      .onConflict((oc) => oc.columns(['chapter_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx.selectFrom('chapter_members').select('role').where('chapter_id', '=', chapter.id).where('user_id', '=', place.userId).executeTakeFirst();
      // An owner made them a viewer on purpose: joining does not undo that.
      if (existing?.role === 'viewer') throw new UserError(`You are a viewer of ${chapter.title}: you can read along but not vote. A chapter owner can make you a writer with /chapter members.`);
    }
    const count = await trx
      .selectFrom('chapter_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('chapter_id', '=', chapter.id)
      .where('role', 'in', ['owner', 'writer'])
      .executeTakeFirstOrThrow();
    return { chapterId: chapter.id, chapterTitle: chapter.title, joined: inserted !== undefined, coWriters: Number(count.n) };
  });
}
