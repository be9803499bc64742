import type { Db } from '../db/connection.js';
import type { StoryPage } from '../db/database.js';
import { insertDiscordMessageIfAbsent, lockDiscordMessageTarget, messageTargetKey } from '../db/discord-messages.js';
import { getChapterByThread, lockChapter } from '../db/chapters.js';
import { findUnfinishedPage, getLastPageNumber, insertPage } from '../db/pages.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { describePageState } from '../domain/page-state-machine.js';
import { MAX_TAKES_SETTING, MIN_TAKES, parseTakesSetting } from '../domain/takes.js';
import { applyPageEvent } from './apply-page-event.js';
import { assertWithinBudget } from './budget-service.js';
import { assertCoWriter, type InteractionPlace } from './co-writers.js';
import { assertPageStartCooldownOver, type GenerationLimits } from './generation-limits.js';
import { UserError } from './user-error.js';

export interface StartedPage {
  page: StoryPage;
  chapterId: number;
}

/** `/page start`: the next page of the chapter whose thread this is, queued for its narration. */
export async function startPage(
  db: Db,
  place: InteractionPlace,
  input: string,
  limits: GenerationLimits,
  takesOption: number | null = null,
): Promise<StartedPage> {
  const takes = takesOption === null ? null : parseTakesSetting(takesOption);
  if (takesOption !== null && takes === null) throw new UserError(`Takes is a whole number from ${MIN_TAKES} to ${MAX_TAKES_SETTING}.`);
  return runInTransaction(db, async (trx) => {
    const chapter = await getChapterByThread(trx, place.guildId, place.channelId);
    if (!chapter) {
      throw new UserError('Pages are started inside a chapter thread. Open one with /chapter start in the story channel.');
    }
    if (chapter.status === 'closed') throw new UserError('This chapter is closed.');
    // Lock, then check. The chapter lock serialises page numbering (two starts at once cannot take the
    // same number) and member changes, so the role read here is current.
    await lockChapter(trx, chapter.id);
    await assertCoWriter(trx, chapter.id, place.userId);
    await assertPageStartCooldownOver(trx, place, limits.pageStartCooldownMs);
    await assertWithinBudget(trx, chapter.story_id, limits.prices);
    const unfinished = await findUnfinishedPage(trx, chapter.id);
    if (unfinished) {
      throw new UserError(
        `Page ${unfinished.number} is still in progress (${describePageState(unfinished)}). Finish it before starting the next page.`,
      );
    }
    const page = await insertPage(trx, {
      chapter_id: chapter.id,
      number: (await getLastPageNumber(trx, chapter.id)) + 1,
      input,
      state: 'awaiting_user_input',
      created_by: place.userId,
      takes,
    });
    const applied = await applyPageEvent(trx, { page, event: { type: 'input_submitted' }, actorId: place.userId });
    afterCommit(trx).refreshProgress(chapter.id);
    return { page: applied.page, chapterId: chapter.id };
  });
}

/**
 * Records the card the bot answered /page start with, under the same lock as the worker's card
 * updates: when the worker posted a card first (Discord was slow to answer the bot), the bot's is
 * not recorded and false says the bot should withdraw it.
 */
export async function recordStartedPageCard(
  db: Db,
  card: { channelId: string; messageId: string; chapterId: number; pageId: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockDiscordMessageTarget(trx, messageTargetKey('page_card', card.pageId));
    return insertDiscordMessageIfAbsent(trx, {
      channel_id: card.channelId,
      message_id: card.messageId,
      purpose: 'page_card',
      chapter_id: card.chapterId,
      page_id: card.pageId,
    });
  });
}
