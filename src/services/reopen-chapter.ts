import type { Db } from '../db/connection.js';
import { getChapter, lockChapter, reopenChapterRow } from '../db/chapters.js';
import { forgetChapterMessages } from '../db/discord-messages.js';
import { putBackInOutbox } from '../db/outbox.js';
import { listChapterPages } from '../db/pages.js';
import { draftKindOf, isGenerating, isReviewing } from '../domain/page-state-machine.js';
import { assertChapterOwner, type MemberPlace } from './member-service.js';
import { UserError } from './user-error.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';

export interface ReopenedChapter {
  chapterId: number;
  number: number;
  title: string;
  /** Jobs written to the outbox to put back what the thread is missing and resume open work. */
  resumed: number;
}

/**
 * `/chapter reopen`: a chapter marked as needing attention (its thread gone, or access lost) is open
 * again once the caller checked Discord access. With a new thread, every message is posted again there;
 * in any case each page's open work resumes: a draft being written is queued again, an open draft is
 * shown, and approved pages are announced (an announcement already there is edited, not repeated).
 */
export async function reopenChapter(
  db: Db,
  place: MemberPlace,
  target: { chapterId: number; newThreadId: string | null },
): Promise<ReopenedChapter> {
  return runInTransaction(db, async (trx) => {
    await lockChapter(trx, target.chapterId);
    const chapter = await getChapter(trx, target.chapterId);
    if (!chapter) throw new UserError('That chapter no longer exists.');
    await assertChapterOwner(trx, chapter.id, place, 'reopen the chapter');
    if (chapter.status !== 'needs_attention')
      throw new UserError(`Chapter ${chapter.number} is ${chapter.status}: it does not need reopening.`);
    if (target.newThreadId) await forgetChapterMessages(trx, chapter.id);
    await reopenChapterRow(trx, chapter.id, target.newThreadId);
    let resumed = 0;
    for (const page of await listChapterPages(trx, chapter.id)) {
      if (isGenerating(page.state)) {
        await putBackInOutbox(trx, 'generate-draft', { pageId: page.id, kind: draftKindOf(page), pageVersion: page.version });
      } else if (isReviewing(page.state) && page.current_revision_id !== null) {
        await putBackInOutbox(trx, 'post-draft', { pageId: page.id, revisionId: page.current_revision_id });
      } else if (page.state === 'page_approved') {
        await putBackInOutbox(trx, 'announce-page', { pageId: page.id, pageVersion: page.version });
      } else {
        continue;
      }
      resumed += 1;
    }
    afterCommit(trx).refreshProgress(chapter.id);
    return { chapterId: chapter.id, number: chapter.number, title: chapter.title, resumed };
  });
}
