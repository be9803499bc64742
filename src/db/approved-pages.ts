import type { Executor } from './executor.js';

// Read model: the approved texts of pages, which prompts, summaries and the finished page are built from.

/** The chapter's pages that have an approved narration, with their approved texts. */
function approvedTexts(db: Executor, chapterId: number) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .leftJoin('page_revisions as d', 'd.id', 'p.approved_dialogue_id')
    .select(['p.number', 'n.body as narration', 'd.body as dialogue'])
    .where('p.chapter_id', '=', chapterId);
}

/** Approved pages before `beforeNumber` and after `afterNumber`, newest first, at most `limit`. */
export function listEarlierApprovedPages(
  db: Executor,
  chapterId: number,
  range: { afterNumber: number; beforeNumber: number; limit: number },
) {
  return approvedTexts(db, chapterId)
    .where('p.number', '<', range.beforeNumber)
    .where('p.number', '>', range.afterNumber)
    .where('p.state', '=', 'page_approved')
    .orderBy('p.number', 'desc')
    .limit(range.limit)
    .execute();
}

/** Pages after `afterNumber` up to `throughNumber` with an approved narration, in order. */
export function listApprovedTextsInRange(db: Executor, chapterId: number, range: { afterNumber: number; throughNumber: number }) {
  return approvedTexts(db, chapterId)
    .where('p.number', '>', range.afterNumber)
    .where('p.number', '<=', range.throughNumber)
    .orderBy('p.number')
    .execute();
}

/** The numbers of the chapter's approved pages, in order. */
export async function listApprovedPageNumbers(db: Executor, chapterId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('story_pages')
    .select('number')
    .where('chapter_id', '=', chapterId)
    .where('state', '=', 'page_approved')
    .orderBy('number')
    .execute();
  return rows.map((row) => row.number);
}

export async function getApprovedNarration(db: Executor, pageId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .select('n.body')
    .where('p.id', '=', pageId)
    .executeTakeFirst();
  return row?.body;
}

/** Both approved texts of a page, when it has both. */
export function getApprovedPageTexts(db: Executor, pageId: number): Promise<{ narration: string; dialogue: string } | undefined> {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as n', 'n.id', 'p.approved_narration_id')
    .innerJoin('page_revisions as d', 'd.id', 'p.approved_dialogue_id')
    .select(['n.body as narration', 'd.body as dialogue'])
    .where('p.id', '=', pageId)
    .executeTakeFirst();
}
