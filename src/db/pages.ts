import type { Transaction } from 'kysely';
import type { Database, StoryPage } from './database.js';
import type { Executor } from './executor.js';

/** Reads a page and locks its row until the transaction ends: every transition starts here. */
export function lockPage(trx: Transaction<Database>, pageId: number): Promise<StoryPage | undefined> {
  return trx.selectFrom('story_pages').selectAll().where('id', '=', pageId).forUpdate().executeTakeFirst();
}

export function getPage(db: Executor, pageId: number): Promise<StoryPage | undefined> {
  return db.selectFrom('story_pages').selectAll().where('id', '=', pageId).executeTakeFirst();
}

/** The page with the chapter and story it belongs to: what authorization and rendering need. */
export function getPageWithPlace(db: Executor, pageId: number) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .selectAll('p')
    .select([
      'c.thread_id',
      'c.title as chapter_title',
      'c.number as chapter_number',
      'c.story_id',
      's.guild_id',
      's.title as story_title',
      's.quorum',
      's.max_revisions',
      's.narrator_model',
      's.dialogue_model',
    ])
    .where('p.id', '=', pageId)
    .executeTakeFirst();
}

export function getRevision(db: Executor, revisionId: number) {
  return db.selectFrom('page_revisions').selectAll().where('id', '=', revisionId).executeTakeFirst();
}

/** Drafts the model wrote for this page and kind. */
export async function countRevisions(db: Executor, pageId: number, kind: 'narration' | 'dialogue'): Promise<number> {
  const row = await db
    .selectFrom('page_revisions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('page_id', '=', pageId)
    .where('kind', '=', kind)
    // A restored copy is not a new draft: it does not use up the page's revisions.
    .where('restored_from_version', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function nextRevisionVersion(db: Executor, pageId: number, kind: 'narration' | 'dialogue'): Promise<number> {
  const row = await db
    .selectFrom('page_revisions')
    .select((eb) => eb.fn.max<number | null>('version').as('max'))
    .where('page_id', '=', pageId)
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow();
  return (row.max ?? 0) + 1;
}
