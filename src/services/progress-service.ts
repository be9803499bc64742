import type { Db } from '../db/connection.js';
import type { ChapterProgressView, PageStatusSummaryView } from '../db/database.js';
import type { Selectable } from 'kysely';
import { getChapterProgressSnapshot, listOpenPageStatuses, listStoryChapterProgress } from '../db/chapter-progress.js';
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
  const snapshot = await getChapterProgressSnapshot(db, chapter.id);
  if (!snapshot) throw new Error(`chapter ${chapter.id} has no progress row`);
  return { chapter, ...snapshot };
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
      const chapters = await listStoryChapterProgress(trx, story.id);
      const open = await listOpenPageStatuses(trx, story.id);
      return { story, chapters, open };
    });
}
