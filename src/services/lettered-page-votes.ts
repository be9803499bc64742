import type { Db } from '../db/connection.js';
import { countCoWriters } from '../db/chapters.js';
import {
  approveLetteredVersion,
  findNewestLettered,
  getLetteredPage,
  insertLetteredVote,
  listLetteredVoters,
} from '../db/lettered-pages.js';
import type { LetteredPageRow } from '../db/lettering-tables.js';
import { writeToOutbox } from '../db/outbox.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { runInTransaction } from '../db/unit-of-work.js';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { describeJob } from '../domain/jobs.js';
import { canReletter, voteOnLettered, type LetteredRefusal } from '../domain/lettered-page.js';
import type { Tally } from '../domain/voting.js';
import { parseQuorumRule } from '../domain/voting.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

// Approve and Re-letter on a "Page N · Lettered" message: by co-writers, on the page's newest open
// version only; anything else is refused in words and changes nothing.

export const REFUSALS: Record<LetteredRefusal, (pageNumber: number) => string> = {
  stale: (n) =>
    `That is not page ${n}'s newest lettering (it was lettered again since). Use the buttons on the newest one. Nothing was changed.`,
  approved: (n) => `Page ${n}'s lettering was already approved; it is final.`,
  already_approved_by_you: () => 'You already approved this lettering; the others decide the rest.',
};

/** The lettered version a button names, in this thread, with its page locked, clicked by a co-writer. */
export async function openVersion(trx: Transaction<Database>, place: InteractionPlace, letteredId: number) {
  const lettered = await getLetteredPage(trx, letteredId);
  const page = lettered ? await getPageWithPlace(trx, lettered.page_id) : undefined;
  if (!lettered || !page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
  await lockPage(trx, page.id);
  await assertCoWriter(trx, page.chapter_id, place.userId);
  const current = (await getLetteredPage(trx, letteredId)) ?? lettered;
  const newest = (await findNewestLettered(trx, page.id))?.id === current.id;
  return { page, lettered: current, newest };
}

export interface LetteredVoteOutcome {
  pageNumber: number;
  lettered: LetteredPageRow;
  tally: Tally;
  decided: boolean;
  /** Who approved this version so far, in order. */
  approvedBy: string[];
}

/** A co-writer approves the lettered version their button showed; the approval reaching the story's quorum makes it the page's. */
export async function approveLetteredPage(db: Db, place: InteractionPlace, target: { letteredId: number }): Promise<LetteredVoteOutcome> {
  return runInTransaction(db, async (trx) => {
    const { page, lettered, newest } = await openVersion(trx, place, target.letteredId);
    const voters = await listLetteredVoters(trx, lettered.id);
    const rule = parseQuorumRule(page.quorum) ?? { kind: 'majority' as const };
    const outcome = voteOnLettered(
      { status: lettered.status, newest, voters, rule, coWriters: await countCoWriters(trx, page.chapter_id) },
      place.userId,
    );
    if (outcome.kind === 'refused') throw new UserError(REFUSALS[outcome.reason](page.number));
    await insertLetteredVote(trx, lettered.id, place.userId);
    if (outcome.decided) await approveLetteredVersion(trx, lettered.id, place.userId);
    const status = outcome.decided ? ('approved' as const) : lettered.status;
    return {
      pageNumber: page.number,
      lettered: { ...lettered, status, decided_by: outcome.decided ? place.userId : null },
      tally: outcome.tally,
      decided: outcome.decided,
      approvedBy: [...voters, place.userId],
    };
  });
}

/** A co-writer's Re-letter: the next version is composed (a job), kept with who asked; the same click twice is one job. */
export async function reletterPage(
  db: Db,
  place: InteractionPlace,
  target: { letteredId: number },
): Promise<{ pageNumber: number; version: number }> {
  return runInTransaction(db, async (trx) => {
    const { page, lettered, newest } = await openVersion(trx, place, target.letteredId);
    const refusal = canReletter({ status: lettered.status, newest });
    if (refusal) throw new UserError(REFUSALS[refusal](page.number));
    const version = lettered.version + 1;
    await writeToOutbox(trx, [
      describeJob('compose-page', { pageId: page.id, setVersion: lettered.set_version, version, requestedBy: place.userId }),
    ]);
    return { pageNumber: page.number, version };
  });
}
