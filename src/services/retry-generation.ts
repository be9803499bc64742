import type { Transaction } from 'kysely';
import { lockChapter } from '../db/chapters.js';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/database.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { describePageState, isGenerating } from '../domain/page-state-machine.js';
import { applyPageEvent, type AppliedEvent } from './apply-page-event.js';
import { assertWithinBudget } from './budget-service.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import type { GenerationLimits } from './generation-limits.js';
import { UserError } from './user-error.js';

type PageButton = { pageId: number; pageVersion: number };

/** The locked page a Retry or Cancel button points at, checked against where and by whom it was pressed. */
async function lockButtonPage(trx: Transaction<Database>, place: InteractionPlace, target: PageButton) {
  const placeRow = await getPageWithPlace(trx, target.pageId);
  if (!placeRow || placeRow.guild_id !== place.guildId || placeRow.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
  // Lock, then check: the chapter lock (taken by member changes) before the page lock, as everywhere.
  await lockChapter(trx, placeRow.chapter_id);
  const page = await lockPage(trx, target.pageId);
  if (!page) throw new UserError('That page no longer exists.');
  await assertCoWriter(trx, page.chapter_id, place.userId);
  if (page.version !== target.pageVersion) throw new UserError(`This page has moved on since then (${describePageState(page)}).`);
  return { page, storyId: placeRow.story_id };
}

/**
 * Retry: after a failure, or while a slow draft is still being written (then the running draft is
 * cancelled first and a fresh one queued). Co-writers only; the button carries the page version.
 */
export async function retryGeneration(
  db: Db,
  place: InteractionPlace,
  target: PageButton,
  limits: GenerationLimits,
): Promise<AppliedEvent> {
  return runInTransaction(db, async (trx) => {
    const button = await lockButtonPage(trx, place, target);
    let page = button.page;
    if (isGenerating(page.state)) {
      page = (
        await applyPageEvent(trx, {
          page,
          event: { type: 'generation_cancelled' },
          actorId: place.userId,
          details: { reason: 'restarted by a co-writer' },
        })
      ).page;
    }
    await assertWithinBudget(trx, button.storyId, limits.prices);
    afterCommit(trx).refreshProgress(page.chapter_id);
    return applyPageEvent(trx, { page, event: { type: 'retry_requested' }, actorId: place.userId });
  });
}

/** Cancel a draft being written: the page waits with a Retry button; the running job's result is dropped. */
export async function cancelGeneration(db: Db, place: InteractionPlace, target: PageButton): Promise<AppliedEvent> {
  return runInTransaction(db, async (trx) => {
    const { page } = await lockButtonPage(trx, place, target);
    afterCommit(trx).refreshProgress(page.chapter_id);
    return applyPageEvent(trx, {
      page,
      event: { type: 'generation_cancelled' },
      actorId: place.userId,
      details: { reason: 'Cancelled by a co-writer.' },
    });
  });
}
