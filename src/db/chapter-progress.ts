import type { Selectable } from 'kysely';
import type { ChapterProgressView, PageStatusSummaryView } from './database.js';
import type { Executor } from './executor.js';

// Read model: the chapter-progress and page-status views.

export function getChapterProgressRow(db: Executor, chapterId: number): Promise<Selectable<ChapterProgressView> | undefined> {
  return db.selectFrom('chapter_progress').selectAll().where('chapter_id', '=', chapterId).executeTakeFirst();
}

/** The chapter's pages with their status, in order. */
export function listPageStatuses(db: Executor, chapterId: number): Promise<Selectable<PageStatusSummaryView>[]> {
  return db.selectFrom('page_status_summary').selectAll().where('chapter_id', '=', chapterId).orderBy('number').execute();
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
