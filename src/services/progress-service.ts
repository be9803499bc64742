import type { Db } from '../db/connection.js';
import { getChapterByThread } from '../db/chapters.js';
import { UserError } from './user-error.js';

/** A chapter's progress from the chapter-progress and page-status views. */
export async function getChapterProgress(db: Db, place: { guildId: string; channelId: string }) {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter) throw new UserError('Chapter progress is shown inside a chapter thread.');
  const summary = await db.selectFrom('chapter_progress').selectAll().where('chapter_id', '=', chapter.id).executeTakeFirstOrThrow();
  const pages = await db.selectFrom('page_status_summary').selectAll().where('chapter_id', '=', chapter.id).orderBy('number').execute();
  return { chapter, summary, pages };
}
