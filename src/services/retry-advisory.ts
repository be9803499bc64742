import type { Db } from '../db/connection.js';
import { addToOutbox } from '../db/outbox.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

export const ADVISORY_AGENTS = ['reviewer', 'panels'] as const;
export type AdvisoryAgent = (typeof ADVISORY_AGENTS)[number];

/**
 * A co-writer's Retry on the notice an advisory agent left when it gave up: its job is written to the
 * outbox again, as round `round` (a key of its own, so the finished first run does not hide it).
 */
export async function retryAdvisoryAgent(
  db: Db,
  place: InteractionPlace,
  target: { agent: AdvisoryAgent; pageId: number; revisionId: number; round: number },
): Promise<{ chapterId: number }> {
  return runInTransaction(db, async (trx) => {
    const page = await getPageWithPlace(trx, target.pageId);
    const revision = await getRevision(trx, target.revisionId);
    if (!page || !revision || revision.page_id !== page.id || page.guild_id !== place.guildId || page.thread_id !== place.channelId)
      throw new UserError(NOT_IN_THIS_THREAD);
    await assertCoWriter(trx, page.chapter_id, place.userId);
    if (target.agent === 'reviewer') {
      if (revision.status !== 'open') throw new UserError('That draft was decided meanwhile: its continuity review no longer matters.');
      await addToOutbox(trx, 'review-draft', { pageId: page.id, revisionId: revision.id, round: target.round });
      return { chapterId: page.chapter_id };
    }
    // Panel prompts are only ever written for the page's approved dialogue (a forged button names another).
    if (revision.id !== page.approved_dialogue_id)
      throw new UserError(
        "That dialogue is not the page's approved dialogue (the page moved on since), so its panel prompts are not written again. Nothing was changed.",
      );
    await addToOutbox(trx, 'generate-panels', { pageId: page.id, dialogueRevisionId: revision.id, round: target.round });
    return { chapterId: page.chapter_id };
  });
}
