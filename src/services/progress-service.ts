import type { Db } from '../db/connection.js';
import type { ChapterProgressView, PageStatusSummaryView } from '../db/database.js';
import type { Selectable } from 'kysely';
import { getChapter, getChapterByThread } from '../db/chapters.js';
import { findStoryHere } from './story-lookup.js';
import { UserError } from './user-error.js';

export interface ChapterProgress {
  chapter: { id: number; number: number; title: string; status: string; attention_reason: string | null; thread_id: string | null };
  summary: Selectable<ChapterProgressView>;
  pages: Selectable<PageStatusSummaryView>[];
}

/** Counts and page lines from one snapshot, so they never disagree about a page that moved in between. */
async function progressOf(db: Db, chapter: ChapterProgress['chapter']): Promise<ChapterProgress> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const summary = await trx.selectFrom('chapter_progress').selectAll().where('chapter_id', '=', chapter.id).executeTakeFirstOrThrow();
      const pages = await trx.selectFrom('page_status_summary').selectAll().where('chapter_id', '=', chapter.id).orderBy('number').execute();
      return { chapter, summary, pages };
    });
}

/** A chapter's progress from the chapter-progress and page-status views. */
export async function getChapterProgress(db: Db, place: { guildId: string; channelId: string }): Promise<ChapterProgress> {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter) throw new UserError('Chapter progress is shown inside a chapter thread.');
  return progressOf(db, chapter);
}

/** The same, by id: for the pinned progress message the worker keeps up to date. */
export async function getChapterProgressById(db: Db, chapterId: number): Promise<ChapterProgress | null> {
  const chapter = await getChapter(db, chapterId);
  return chapter ? progressOf(db, chapter) : null;
}

/** `/story status`: every chapter of the story with its counts, from the chapter-progress view. */
export async function getStoryStatus(db: Db, place: { guildId: string; channelId: string }) {
  const story = await findStoryHere(db, place);
  // One snapshot, as for a chapter's progress.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const chapters = await trx
        .selectFrom('chapter_progress as p')
        .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
        .selectAll('p')
        .select('c.thread_id')
        .where('p.story_id', '=', story.id)
        .orderBy('p.number')
        .execute();
      const open = await trx
        .selectFrom('page_status_summary')
        .select(['chapter_id', 'number', 'state', 'stage', 'current_kind', 'current_version', 'approvals', 'revise_votes'])
        .where('story_id', '=', story.id)
        .where('state', '!=', 'page_approved')
        .orderBy('number')
        .execute();
      return { story, chapters, open };
    });
}
