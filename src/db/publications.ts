import type { Executor } from './executor.js';

// The publishing columns of a story: who made it readable on the web, at which address, since when.

export interface Publication {
  slug: string;
  token: string;
}

/** Publishes the story under a new address (a previous one stops working at once). */
export async function setStoryPublication(db: Executor, storyId: number, publication: Publication & { userId: string }): Promise<void> {
  await db
    .updateTable('stories')
    .set({ public_slug: publication.slug, public_token: publication.token, published_at: new Date(), published_by: publication.userId })
    .where('id', '=', storyId)
    .execute();
}

/** Revokes the story's address; false when it was not published. */
export async function clearStoryPublication(db: Executor, storyId: number): Promise<boolean> {
  const result = await db
    .updateTable('stories')
    .set({ public_slug: null, public_token: null, published_at: null, published_by: null })
    .where('id', '=', storyId)
    .where('public_token', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The published story at this address, or undefined (unknown, revoked, or a slug that does not match). */
export function getPublishedStory(db: Executor, address: Publication) {
  return db
    .selectFrom('stories')
    .select(['id', 'title', 'public_slug as slug', 'public_token as token', 'published_at as publishedAt', 'language'])
    .where('public_token', '=', address.token)
    .where('public_slug', '=', address.slug)
    .executeTakeFirst();
}

/** Whether the user owns at least one chapter of the story. */
export async function ownsChapterOfStory(db: Executor, storyId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('chapter_members as m')
    .innerJoin('chapters as c', 'c.id', 'm.chapter_id')
    .select('m.chapter_id')
    .where('c.story_id', '=', storyId)
    .where('m.user_id', '=', userId)
    .where('m.role', '=', 'owner')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
