import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, PageRevision, StoryPage } from '../db/database.js';
import { getChapter } from '../db/chapters.js';
import { countSlotsHeld, countTakesBeingWritten, lockGuildGenerationSlots } from '../db/generation-slots.js';
import { getStory } from '../db/stories.js';
import { getRevision, lockPage } from '../db/pages.js';
import { findRevisionByVersion, listRoundTakes } from '../db/revisions.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { asRoundVote, getVoteContext, insertFeedback, upsertRoundVote } from '../db/votes.js';
import {
  canAddTake,
  decideRound,
  MAX_TAKES_PER_ROUND,
  tallyRound,
  type RoundDecision,
  type RoundTally,
  type RoundVote,
} from '../domain/takes.js';
import { parseQuorumRule } from '../domain/voting.js';
import { applyPageEvent } from './apply-page-event.js';
import { assertWithinBudget } from './budget-service.js';
import { isCoWriterRole, NOT_A_CO_WRITER, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { decideOpenDraft, isOpenForVote, staleReason } from './decide-draft.js';
import type { PriceTable } from '../domain/pricing.js';
import { UserError } from './user-error.js';

// A round of takes is voted on under the page lock: a pick names one take, and the quorum is counted
// per take (domain/takes.ts). The votes are stored on the round's take A, one per co-writer, so a
// co-writer who changes their pick replaces their vote.

export interface RoundVoteOutcome {
  page: StoryPage;
  /** The round's takes as they now stand, A first. */
  takes: PageRevision[];
  tally: RoundTally;
  decision: RoundDecision;
  /** The co-writer had voted differently before. */
  changed: boolean;
  /** What this co-writer picked (a take, 0 is A, or Revise), and what they had picked before, if anything. */
  mine: RoundVote['pick'];
  previous: RoundVote['pick'] | null;
}

/** The open round a clicked take belongs to, checked against where the click came from, with the page locked. */
async function lockOpenRound(trx: Transaction<Database>, place: InteractionPlace, target: { pageId: number; revisionId: number }) {
  const page = await lockPage(trx, target.pageId);
  const clicked = page ? await getRevision(trx, target.revisionId) : undefined;
  if (!page || !clicked || clicked.page_id !== page.id) throw new UserError(NOT_IN_THIS_THREAD);
  const lead = clicked.take === 0 ? clicked : await findRevisionByVersion(trx, page.id, clicked.kind, clicked.version, 0);
  if (!lead) throw new UserError(NOT_IN_THIS_THREAD);
  const context = await getVoteContext(trx, { pageId: page.id, revisionId: lead.id, userId: place.userId });
  if (!context || context.threadId !== place.channelId || context.guildId !== place.guildId) throw new UserError(NOT_IN_THIS_THREAD);
  if (!isCoWriterRole(context.role)) throw new UserError(NOT_A_CO_WRITER);
  if (!isOpenForVote(page, lead)) throw new UserError(await staleReason(trx, clicked, page));
  return { page, lead, clicked, context };
}

/**
 * A pick of one take, or Revise with feedback for the whole round. Decides the round when a take's
 * picks (or the Revise votes) reach the quorum.
 */
export async function castRoundVote(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  vote: { pick: 'take' } | { pick: 'revise'; feedback: string | null },
): Promise<RoundVoteOutcome> {
  return runInTransaction(db, async (trx) => {
    const { page, lead, clicked, context } = await lockOpenRound(trx, place, target);
    if (clicked.status !== 'open') throw new UserError(await staleReason(trx, clicked, page));
    const pick: RoundVote['pick'] = vote.pick === 'revise' ? 'revise' : clicked.take;
    // The context read the round's counted votes on take A, under the lock.
    const before = context.votes.map(asRoundVote);
    const previous = before.find((v) => v.userId === place.userId)?.pick ?? null;
    await upsertRoundVote(trx, { leadRevisionId: lead.id, userId: place.userId, pick });
    if (vote.pick === 'revise' && vote.feedback)
      await insertFeedback(trx, { revisionId: lead.id, userId: place.userId, body: vote.feedback });
    const takes = await listRoundTakes(trx, lead);
    const votes: RoundVote[] = [...before.filter((v) => v.userId !== place.userId), { userId: place.userId, pick }];
    const tally = tallyRound(votes, takes.length, parseQuorumRule(context.story.quorum) ?? { kind: 'majority' }, context.coWriters);
    const decision = decideRound(tally);
    const changed = previous !== null && previous !== pick;
    // After commit the round's other messages are redrawn by a coalesced job, so a burst of picks is one edit per take.
    const after = afterCommit(trx);
    if (decision.kind === 'open') {
      after.refreshRound(page.id, lead.id);
      after.refreshProgress(page.chapter_id);
      return { page, takes, tally, decision, changed, mine: pick, previous };
    }
    const decided = await decideOpenDraft(trx, {
      page,
      revision: lead,
      decision: decision.kind === 'picked' ? 'approved' : 'revision_requested',
      ...(decision.kind === 'picked' ? { take: decision.take } : {}),
      maxRevisions: context.story.maxRevisions,
      actorId: place.userId,
      details: { picks: tally.picks, revisions: tally.revisions },
    });
    // The round was decided: its reminder and deadline jobs (keyed by take A) can go.
    if (context.story.schedulesReviews) after.cancelReviewJobs(lead.id);
    after.refreshRound(page.id, lead.id);
    after.refreshProgress(decided.page.chapter_id);
    return { page: decided.page, takes: await listRoundTakes(trx, lead), tally, decision, changed, mine: pick, previous };
  });
}

/** Refuses one more model call while the server's drafts holding slots and takes being written reach its cap. */
async function assertGenerationRoom(trx: Transaction<Database>, guildId: string, maxPerGuild: number): Promise<void> {
  await lockGuildGenerationSlots(trx, guildId);
  const busy = (await countSlotsHeld(trx, guildId)) + (await countTakesBeingWritten(trx, guildId));
  if (busy >= maxPerGuild) {
    throw new UserError(
      `This server is already writing ${busy} draft${busy === 1 ? '' : 's'} or take${busy === 1 ? '' : 's'} at once (at most ${maxPerGuild}). Ask for another take when one is done. Nothing was changed.`,
    );
  }
}

export interface AnotherTake {
  page: StoryPage;
}

/**
 * Another take: one more take of the open round, written from the same prompt, up to six in a round.
 * A model call like a draft: refused while the server writes `maxGenerationsPerGuild` drafts and takes
 * (counted under the server's slot lock, so drafts claiming slots count it too), and while the budget
 * is spent (checked again when its job starts).
 */
export async function requestAnotherTake(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  limits: { prices: PriceTable; maxGenerationsPerGuild: number },
): Promise<AnotherTake> {
  return runInTransaction(db, async (trx) => {
    const { page, lead } = await lockOpenRound(trx, place, target);
    const written = (await listRoundTakes(trx, lead)).length;
    const asked = written + page.takes_pending;
    if (!canAddTake(asked)) {
      throw new UserError(
        `This round already has ${MAX_TAKES_PER_ROUND} takes (counting those being written), the most a round holds. Pick one, or send the round back with Revise.`,
      );
    }
    const chapter = await getChapter(trx, page.chapter_id);
    if (chapter) {
      await assertWithinBudget(trx, chapter.story_id, limits.prices);
      const story = await getStory(trx, chapter.story_id);
      if (story) await assertGenerationRoom(trx, story.guild_id, limits.maxGenerationsPerGuild);
    }
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'take_added', kind: lead.kind },
      actorId: place.userId,
      takesAsked: asked + 1,
    });
    return { page: applied.page };
  });
}
