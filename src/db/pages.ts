import { sql, type Transaction } from 'kysely';
import type { Database, NewStoryPage, StoryPage } from './database.js';
import type { Executor } from './executor.js';

/** Reads a page and locks its row until the transaction ends: every transition starts here. */
export function lockPage(trx: Transaction<Database>, pageId: number): Promise<StoryPage | undefined> {
  return trx.selectFrom('story_pages').selectAll().where('id', '=', pageId).forUpdate().executeTakeFirst();
}

export function getPage(db: Executor, pageId: number): Promise<StoryPage | undefined> {
  return db.selectFrom('story_pages').selectAll().where('id', '=', pageId).executeTakeFirst();
}

/** A page with the chapter and story it belongs to, as most jobs read it first. */
export type PagePlace = NonNullable<Awaited<ReturnType<typeof getPageWithPlace>>>;

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
      's.takes as story_takes',
      's.monthly_budget_usd',
    ])
    .where('p.id', '=', pageId)
    .executeTakeFirst();
}

/** What a page's prompt is built around, in one read: the page, its chapter's summary and its story's settings. */
export function getPageForPrompt(db: Executor, pageId: number) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select([
      'p.number',
      'p.input',
      'p.chapter_id',
      'c.story_id',
      'c.title as chapter_title',
      'c.summary',
      'c.summary_through_page',
      's.title as story_title',
      's.tone_note',
      's.narration_words',
      's.language',
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
    // A restored copy or a hand edit is not a model's new draft: neither uses up the page's revisions.
    .where('restored_from_version', 'is', null)
    .where('edited_by', 'is', null)
    // A round of takes is one draft, whatever the number of its takes.
    .where('take', '=', 0)
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

export function insertPage(db: Executor, page: NewStoryPage): Promise<StoryPage> {
  return db.insertInto('story_pages').values(page).returningAll().executeTakeFirstOrThrow();
}

export function findPageByNumber(db: Executor, chapterId: number, pageNumber: number): Promise<StoryPage | undefined> {
  return db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapterId).where('number', '=', pageNumber).executeTakeFirst();
}

/** The chapter's pages, newest first, for autocomplete: number and state only. */
export function listPageNumbers(db: Executor, chapterId: number, limit: number): Promise<{ number: number; state: StoryPage['state'] }[]> {
  return db
    .selectFrom('story_pages')
    .select(['number', 'state'])
    .where('chapter_id', '=', chapterId)
    .orderBy('number', 'desc')
    .limit(limit)
    .execute();
}

/** The chapter's first page not yet approved: a chapter writes one page at a time. */
export function findUnfinishedPage(db: Executor, chapterId: number): Promise<StoryPage | undefined> {
  return db
    .selectFrom('story_pages')
    .selectAll()
    .where('chapter_id', '=', chapterId)
    .where('state', '!=', 'page_approved')
    .orderBy('number')
    .executeTakeFirst();
}

export async function getLastPageNumber(db: Executor, chapterId: number): Promise<number> {
  const row = await db
    .selectFrom('story_pages')
    .select((eb) => eb.fn.max<number | null>('number').as('max'))
    .where('chapter_id', '=', chapterId)
    .executeTakeFirstOrThrow();
  return row.max ?? 0;
}

/** When this person last started a page in this server, if after `since`. */
export async function findLatestPageStart(db: Executor, guildId: string, userId: string, since: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select('p.created_at')
    .where('s.guild_id', '=', guildId)
    .where('p.created_by', '=', userId)
    .where('p.created_at', '>', since)
    .orderBy('p.created_at', 'desc')
    .executeTakeFirst();
  return row?.created_at ?? null;
}

/** Every page of a chapter, in order. */
export function listChapterPages(db: Executor, chapterId: number): Promise<StoryPage[]> {
  return db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapterId).orderBy('number').execute();
}

/** Another take that will not be recorded (it failed for good) stops counting against its round's six. */
export async function releasePendingTake(db: Executor, pageId: number): Promise<void> {
  await db
    .updateTable('story_pages')
    .set((eb) => ({ takes_pending: sql<number>`greatest(0, ${eb.ref('takes_pending')} - 1)` }))
    .where('id', '=', pageId)
    .execute();
}
