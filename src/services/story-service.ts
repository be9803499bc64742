import type { Db } from '../db/connection.js';
import type { Story } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import {
  countCoWriters,
  getChapterByThread,
  getMemberRole,
  insertChapter,
  insertChapterMember,
  insertChapterMemberIfAbsent,
  wasRemovedFromChapter,
  nextChapterNumber,
  setChapterCardMessage,
  deleteChapterWithoutThread,
  setChapterThread,
} from '../db/chapters.js';
import { insertDiscordMessageIfAbsent } from '../db/discord-messages.js';
import { getStoryByChannel, lockStory, updateStory, upsertStory } from '../db/stories.js';
import { UserError } from './user-error.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';

/** `/story setup`: this channel becomes a story room. Running it again renames the story. */
export async function setupStory(
  db: Db,
  place: { guildId: string; channelId: string; userId: string },
  title: string,
): Promise<{ story: Story; created: boolean }> {
  const existing = await getStoryByChannel(db, place.guildId, place.channelId);
  if (existing) return { story: await updateStory(db, existing.id, { title }), created: false };
  const story = await upsertStory(db, { guild_id: place.guildId, channel_id: place.channelId, title, created_by: place.userId });
  return { story, created: true };
}

/** The story whose room this channel is, or a refusal that says where to go instead. */
export async function requireStoryRoom(db: Executor, place: { guildId: string; channelId: string }): Promise<Story> {
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
    await lockStory(trx, story.id);
    const chapter = await insertChapter(trx, {
      story_id: story.id,
      number: await nextChapterNumber(trx, story.id),
      title,
      created_by: place.userId,
    });
    await insertChapterMember(trx, { chapter_id: chapter.id, user_id: place.userId, role: 'owner' });
    return { story, chapter };
  });
}

/** Takes back a chapter whose thread Discord refused: no numbered chapter without a thread stays behind. */
export async function abandonChapter(db: Db, chapterId: number): Promise<void> {
  await deleteChapterWithoutThread(db, chapterId);
}

export async function attachChapterThread(db: Db, chapterId: number, threadId: string): Promise<void> {
  await setChapterThread(db, chapterId, threadId);
}

export async function recordChapterCard(db: Db, chapterId: number, channelId: string, messageId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setChapterCardMessage(trx, chapterId, messageId);
    await insertDiscordMessageIfAbsent(trx, {
      channel_id: channelId,
      message_id: messageId,
      purpose: 'chapter_card',
      chapter_id: chapterId,
    });
  });
}

/** Join by the chapter's thread (the command) or by the chapter id (the card's button), within this guild. */
export async function joinChapter(
  db: Db,
  place: { guildId: string; channelId: string; userId: string },
  chapterId: number | null,
): Promise<{ chapterId: number; chapterTitle: string; joined: boolean; coWriters: number }> {
  return runInTransaction(db, async (trx) => {
    const chapter = await getChapterByThread(trx, place.guildId, place.channelId);
    if (!chapter || (chapterId !== null && chapter.id !== chapterId)) {
      throw new UserError('Join a chapter from inside its thread.');
    }
    const joined = await insertChapterMemberIfAbsent(trx, { chapter_id: chapter.id, user_id: place.userId, role: 'writer' });
    // Checked after the insert, which waits for a removal being written at the same moment to commit.
    if (joined && (await wasRemovedFromChapter(trx, chapter.id, place.userId))) {
      throw new UserError(
        `An owner removed you from **${chapter.title}**, so joining does not add you back. A chapter owner can add you again with /chapter members.`,
      );
    }
    // An owner made them a viewer on purpose: joining does not undo that.
    if (!joined && (await getMemberRole(trx, chapter.id, place.userId)) === 'viewer') {
      throw new UserError(
        `You are a viewer of ${chapter.title}: you can read along but not vote. A chapter owner can make you a writer with /chapter members.`,
      );
    }
    if (joined) afterCommit(trx).refreshProgress(chapter.id);
    return { chapterId: chapter.id, chapterTitle: chapter.title, joined, coWriters: await countCoWriters(trx, chapter.id) };
  });
}
