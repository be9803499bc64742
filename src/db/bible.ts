import { sql } from 'kysely';
import type { CanonicalRef, NewCanonicalRef } from './database.js';
import type { Executor } from './executor.js';

// The story bible (canonical_refs). An entry is never deleted: replacing or removing it supersedes it.

/** The entries in use, by type and title. */
export function listBibleEntries(db: Executor, storyId: number): Promise<CanonicalRef[]> {
  return db
    .selectFrom('canonical_refs')
    .selectAll()
    .where('story_id', '=', storyId)
    .where('superseded_at', 'is', null)
    .orderBy('ref_type')
    .orderBy('title')
    .execute();
}

/** The entries in use, with what a prompt needs of them. */
export function listBibleEntriesForPrompt(db: Executor, storyId: number) {
  return db
    .selectFrom('canonical_refs')
    .select(['title', 'ref_type', 'body', 'keywords', 'priority', 'always_include', 'token_count'])
    .where('story_id', '=', storyId)
    .where('superseded_at', 'is', null)
    .execute();
}

/** The entry in use with this title, whatever its case. */
export function getBibleEntryByTitle(db: Executor, storyId: number, title: string): Promise<CanonicalRef | undefined> {
  return db
    .selectFrom('canonical_refs')
    .selectAll()
    .where('story_id', '=', storyId)
    .where(sql`lower(title)`, '=', title.toLowerCase())
    .where('superseded_at', 'is', null)
    .executeTakeFirst();
}

export function insertBibleEntry(db: Executor, entry: NewCanonicalRef): Promise<CanonicalRef> {
  return db.insertInto('canonical_refs').values(entry).returningAll().executeTakeFirstOrThrow();
}

/** Supersedes the entries in use with this title, whatever its case; returns how many there were. */
export async function supersedeBibleEntriesByTitle(db: Executor, storyId: number, title: string): Promise<number> {
  const superseded = await db
    .updateTable('canonical_refs')
    .set({ superseded_at: new Date() })
    .where('story_id', '=', storyId)
    .where(sql`lower(title)`, '=', title.toLowerCase())
    .where('superseded_at', 'is', null)
    .returning('id')
    .execute();
  return superseded.length;
}

export async function supersedeBibleEntry(db: Executor, entryId: number): Promise<void> {
  await db.updateTable('canonical_refs').set({ superseded_at: new Date() }).where('id', '=', entryId).execute();
}
