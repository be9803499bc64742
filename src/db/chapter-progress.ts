import type { Selectable } from 'kysely';
import type { ChapterProgressView, PageStatusSummaryView } from './database.js';
import type { Executor } from './executor.js';

// Read model: the chapter-progress and page-status views.

const COUNTS = 'cp_';

/**
 * A chapter's counts and its pages with their status, in order, from one statement: one snapshot, so
 * they never disagree about a page that moved in between. Undefined when the chapter has no progress row.
 */
export async function getChapterProgressSnapshot(
  db: Executor,
  chapterId: number,
): Promise<{ summary: Selectable<ChapterProgressView>; pages: Selectable<PageStatusSummaryView>[] } | undefined> {
  const rows = await db
    .selectFrom('chapter_progress as cp')
    .leftJoin('page_status_summary as ps', 'ps.chapter_id', 'cp.chapter_id')
    .selectAll('ps')
    // Prefixed with COUNTS: the view's columns beside the page's, some of the same name.
    .select([
      'cp.chapter_id as cp_chapter_id',
      'cp.story_id as cp_story_id',
      'cp.number as cp_number',
      'cp.title as cp_title',
      'cp.status as cp_status',
      'cp.pages as cp_pages',
      'cp.approved_pages as cp_approved_pages',
      'cp.pages_in_review as cp_pages_in_review',
      'cp.pages_generating as cp_pages_generating',
      'cp.pages_failed as cp_pages_failed',
      'cp.co_writers as cp_co_writers',
    ])
    .where('cp.chapter_id', '=', chapterId)
    .orderBy('ps.number')
    .execute();
  const [first] = rows;
  if (!first) return undefined;
  // Each row carries the chapter's counts (prefixed) beside one page; a chapter without pages comes back
  // as one row whose page columns are all null (the left join).
  const split = (row: (typeof rows)[number], counts: boolean) =>
    Object.fromEntries(
      Object.entries(row).flatMap(([key, value]) =>
        key.startsWith(COUNTS) === counts ? [[counts ? key.slice(COUNTS.length) : key, value]] : [],
      ),
    );
  const summary = split(first, true) as Selectable<ChapterProgressView>;
  const pages = rows.flatMap((row) => (row.page_id === null ? [] : [split(row, false) as Selectable<PageStatusSummaryView>]));
  return { summary, pages };
}

/** Every chapter of the story with its counts and thread, in order. */
export function listStoryChapterProgress(db: Executor, storyId: number) {
  return db
    .selectFrom('chapter_progress as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .selectAll('p')
    .select('c.thread_id')
    .where('p.story_id', '=', storyId)
    .orderBy('p.number')
    .execute();
}

/** The story's pages not yet approved, by page number. */
export function listOpenPageStatuses(db: Executor, storyId: number) {
  return db
    .selectFrom('page_status_summary')
    .select(['chapter_id', 'number', 'state', 'stage', 'current_kind', 'current_version', 'approvals', 'revise_votes'])
    .where('story_id', '=', storyId)
    .where('state', '!=', 'page_approved')
    .orderBy('number')
    .execute();
}
