import type { Db } from '../db/connection.js';
import { findLetteredVersion } from '../db/lettered-pages.js';
import { findOutboxPayload, getOutboxRelayState, writeToOutbox } from '../db/outbox.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { findPanelSetApproval } from '../db/panel-review.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { composePageJob, describeJob, jobKeyFor } from '../domain/jobs.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

/**
 * Retry on "Page N · Lettering failed": the same version composed again (its next round, the same
 * request: who asked, the nudge), by a co-writer, while the panels it letters are still the approved
 * ones and the version was not composed since. The same click twice is one job.
 */
export async function retryLettering(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; setVersion: number; version: number; round: number },
): Promise<{ pageNumber: number; version: number }> {
  return runInTransaction(db, async (trx) => {
    const page = await getPageWithPlace(trx, target.pageId);
    if (!page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
    await lockPage(trx, page.id);
    await assertCoWriter(trx, page.chapter_id, place.userId);
    if ((await findPanelSetApproval(trx, page.id))?.setVersion !== target.setVersion)
      throw new UserError(`Page ${page.number}'s panels changed since; that lettering is no longer wanted. Nothing was changed.`);
    if (await findLetteredVersion(trx, page.id, target.version))
      throw new UserError(`Page ${page.number} was lettered since (version ${target.version}); see it below. Nothing was changed.`);
    const failedRound = target.round - 1;
    const failedKey = jobKeyFor('compose-page', {
      pageId: target.pageId,
      setVersion: target.setVersion,
      version: target.version,
      ...(failedRound > 0 ? { round: failedRound } : {}),
    });
    const asked = composePageJob.safeParse(await findOutboxPayload(trx, failedKey));
    const base = asked.success ? asked.data : { pageId: page.id, setVersion: target.setVersion, version: target.version };
    const job = describeJob('compose-page', { ...base, round: target.round });
    if (!(await getOutboxRelayState(trx, job.key))) await writeToOutbox(trx, [job]);
    return { pageNumber: page.number, version: target.version };
  });
}
