import type { Transaction } from 'kysely';
import type { Database, NewStory, Story, StoryUpdate } from './database.js';
import type { Executor } from './executor.js';

export function getStory(db: Executor, storyId: number): Promise<Story | undefined> {
  return db.selectFrom('stories').selectAll().where('id', '=', storyId).executeTakeFirst();
}

/** The shape and size chosen for the panels of the story a page belongs to. */
export function getPanelSizeOfPage(db: Executor, pageId: number): Promise<Pick<Story, 'id' | 'panel_shape' | 'panel_size'> | undefined> {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['s.id', 's.panel_shape', 's.panel_size'])
    .where('p.id', '=', pageId)
    .executeTakeFirst();
}

export function getStoryByChannel(db: Executor, guildId: string, channelId: string): Promise<Story | undefined> {
  return db.selectFrom('stories').selectAll().where('guild_id', '=', guildId).where('channel_id', '=', channelId).executeTakeFirst();
}

/** Inserts a story room; a second setup of the same channel racing the first renames it instead. */
export function upsertStory(db: Executor, story: NewStory): Promise<Story> {
  return db
    .insertInto('stories')
    .values(story)
    .onConflict((oc) => oc.columns(['guild_id', 'channel_id']).doUpdateSet({ title: story.title }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateStory(db: Executor, storyId: number, update: StoryUpdate): Promise<Story> {
  return db.updateTable('stories').set(update).where('id', '=', storyId).returningAll().executeTakeFirstOrThrow();
}

/** Locks the story's row until the transaction ends. */
export async function lockStory(trx: Transaction<Database>, storyId: number): Promise<void> {
  await trx.selectFrom('stories').select('id').where('id', '=', storyId).forUpdate().execute();
}

/** The story settings that decide a draft's vote and its reminder and deadline. */
export function getReviewRules(db: Executor, chapterId: number) {
  return db
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['s.id as story_id', 's.quorum', 's.max_revisions', 's.reminder_minutes', 's.deadline_minutes', 's.deadline_rule'])
    .where('c.id', '=', chapterId)
    .executeTakeFirstOrThrow();
}
