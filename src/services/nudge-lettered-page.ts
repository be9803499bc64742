import type { Db } from '../db/connection.js';
import { getOutboxRelayState, writeToOutbox } from '../db/outbox.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { describeJob } from '../domain/jobs.js';
import { canReletter } from '../domain/lettered-page.js';
import type { LetteredPage } from '../domain/lettering/letter-page.js';
import { nudgeOptions } from '../domain/lettering/nudges.js';
import type { NudgeChange } from '../domain/lettering/script.js';
import type { InteractionPlace } from './co-writers.js';
import { openVersion, REFUSALS } from './lettered-page-votes.js';
import { UserError } from './user-error.js';

/** The newest open version's layout, for a co-writer choosing which of its balloons to nudge. */
export async function letteredLayoutToNudge(
  db: Db,
  place: InteractionPlace,
  letteredId: number,
): Promise<{ id: number; layout: LetteredPage }> {
  return runInTransaction(db, async (trx) => {
    const { page, lettered, newest } = await openVersion(trx, place, letteredId);
    const refusal = canReletter({ status: lettered.status, newest });
    if (refusal) throw new UserError(REFUSALS[refusal](page.number));
    return { id: lettered.id, layout: lettered.layout as LetteredPage };
  });
}

export interface NudgeAsked {
  pageNumber: number;
  version: number;
  /** The balloon as the thread numbers it (from 1) and the nudge in words. */
  balloon: number;
  label: string;
}

/**
 * A co-writer's nudge of one balloon of the newest open version: the next version is composed (a job)
 * with it, kept with who asked. One nudge per version: a second one, before the next version is
 * posted, is refused (the page is locked, so two at once cannot both pass).
 */
export async function nudgeLetteredBalloon(
  db: Db,
  place: InteractionPlace,
  target: { letteredId: number; balloon: number; change: NudgeChange },
): Promise<NudgeAsked> {
  return runInTransaction(db, async (trx) => {
    const { page, lettered, newest } = await openVersion(trx, place, target.letteredId);
    const refusal = canReletter({ status: lettered.status, newest });
    if (refusal) throw new UserError(REFUSALS[refusal](page.number));
    const balloon = (lettered.layout as LetteredPage).balloons[target.balloon];
    const option = balloon ? nudgeOptions(balloon).find((o) => o.change === target.change) : undefined;
    if (!balloon || !option) throw new UserError('That nudge is not one this balloon offers. Nothing was changed.');
    const version = lettered.version + 1;
    const job = describeJob('compose-page', {
      pageId: page.id,
      setVersion: lettered.set_version,
      version,
      requestedBy: place.userId,
      nudge: { panel: balloon.panel, lines: balloon.lines, change: target.change },
    });
    if (await getOutboxRelayState(trx, job.key))
      throw new UserError(
        `Page ${page.number} is already being lettered again (version ${version}); nudge that version once it is posted. Nothing was changed.`,
      );
    await writeToOutbox(trx, [job]);
    return { pageNumber: page.number, version, balloon: target.balloon + 1, label: option.label };
  });
}
