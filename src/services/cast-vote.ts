import type { Db } from '../db/connection.js';
import type { Transaction } from 'kysely';
import type { Database, StoryPage } from '../db/database.js';
import { findRevisionByVersion } from '../db/revisions.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { getVoteContext, insertFeedback, recordVoteInOneStatement, upsertVote, type VotedRevision } from '../db/votes.js';
import { isReviewing } from '../domain/page-state-machine.js';
import {
  castVote as castVoteInTally,
  decideDraft,
  parseQuorumRule,
  tallyCounts,
  tallyVotes,
  type DraftDecision,
  type Tally,
  type VoteChoice,
} from '../domain/voting.js';
import { isCoWriterRole, NOT_A_CO_WRITER, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { decideOpenDraft, isOpenForVote, staleDraftReason } from './decide-draft.js';
import { castRoundVote, type RoundVoteOutcome } from './take-round.js';
import { UserError } from './user-error.js';

export interface VoteOutcome {
  page: StoryPage;
  revision: VotedRevision;
  tally: Tally;
  decision: DraftDecision;
  /** The co-writer had voted differently before: this click changed their vote. */
  changed: boolean;
}

type VoteTarget = { pageId: number; revisionId: number };

export type CastVote = { kind: 'draft'; outcome: VoteOutcome } | { kind: 'round'; outcome: RoundVoteOutcome };

/**
 * Approve or Revise on a draft; on a take of a round of takes (Another take can turn a draft into
 * one), Approve picks the take it was pressed on and Revise sends the round back.
 */
export async function castVoteOrPick(
  db: Db,
  place: InteractionPlace,
  target: VoteTarget,
  choice: VoteChoice,
  feedback: string | null,
): Promise<CastVote> {
  const vote = { ...target, guildId: place.guildId, threadId: place.channelId, userId: place.userId, choice, feedback };
  const attempt = await recordVoteInOneStatement(db, vote);
  if (!attempt?.revision) throw new UserError(NOT_IN_THIS_THREAD);
  if (!isCoWriterRole(attempt.role)) throw new UserError(NOT_A_CO_WRITER);
  if (attempt.hasTakes)
    return {
      kind: 'round',
      outcome: await castRoundVote(db, place, target, choice === 'approve' ? { pick: 'take' } : { pick: 'revise', feedback }),
    };
  // A decided draft stays decided; anything else not recorded is settled under the lock.
  if (!attempt.recorded && attempt.revision.status !== 'open') throw new UserError(staleDraftReason(attempt.revision, attempt.page));
  if (!attempt.recorded) return { kind: 'draft', outcome: await castVoteUnderLock(db, vote) };
  const tally = tallyCounts(
    countsWith(attempt.otherVotes, choice),
    parseQuorumRule(attempt.story.quorum) ?? { kind: 'majority' },
    attempt.coWriters,
  );
  const changed = attempt.previousChoice !== null && attempt.previousChoice !== choice;
  // The statement committed: the chapter's progress shows the new tally.
  afterCommit(db).refreshProgress(attempt.page.chapter_id);
  return { kind: 'draft', outcome: { page: attempt.page, revision: attempt.revision, tally, decision: 'open', changed } };
}

const countsWith = (others: { approvals: number; revisions: number }, choice: VoteChoice) => ({
  approvals: others.approvals + (choice === 'approve' ? 1 : 0),
  revisions: others.revisions + (choice === 'revise' ? 1 : 0),
});

/** The vote in one transaction holding the page lock: records it and applies the decision when the quorum is reached. */
async function castVoteUnderLock(db: Db, vote: Parameters<typeof recordVoteInOneStatement>[1]): Promise<VoteOutcome> {
  return runInTransaction(db, async (trx) => {
    const attempt = await recordVoteInOneStatement(trx, vote, { evenIfDeciding: true });
    if (!attempt?.revision) throw new UserError(NOT_IN_THIS_THREAD);
    if (!isCoWriterRole(attempt.role)) throw new UserError(NOT_A_CO_WRITER);
    const voted = attempt.recorded ? counted(attempt, vote.choice) : attempt.fresh ? null : await recountUnderLock(trx, vote);
    if (!voted) throw new UserError(staleDraftReason(attempt.revision, attempt.page));
    const { page, revision, counts, previousChoice, story } = voted;
    const tally = tallyCounts(counts, parseQuorumRule(story.quorum) ?? { kind: 'majority' }, voted.coWriters);
    const decision = decideDraft(tally);
    const outcome = { tally, decision, changed: previousChoice !== null && previousChoice !== vote.choice };
    const after = afterCommit(trx);
    if (decision === 'open') {
      after.refreshProgress(page.chapter_id);
      return { ...outcome, page, revision };
    }
    const decided = await decideOpenDraft(trx, { page, revision, decision, maxRevisions: story.maxRevisions, actorId: vote.userId });
    // The draft was decided: its reminder and deadline jobs (if the story schedules them) can go.
    if (story.schedulesReviews) after.cancelReviewJobs(decided.revision.id);
    after.refreshProgress(decided.page.chapter_id);
    return { ...outcome, ...decided };
  });
}

function counted(attempt: NonNullable<Awaited<ReturnType<typeof recordVoteInOneStatement>>>, choice: VoteChoice) {
  if (!attempt.revision) return null;
  return {
    page: attempt.page,
    revision: attempt.revision,
    counts: countsWith(attempt.otherVotes, choice),
    previousChoice: attempt.previousChoice,
    coWriters: attempt.coWriters,
    story: attempt.story,
  };
}

/**
 * The statement waited for the page while another vote committed, so what it read is older than the
 * lock it now holds: read again (this statement sees everything committed before the lock) and vote.
 */
async function recountUnderLock(trx: Transaction<Database>, vote: Parameters<typeof recordVoteInOneStatement>[1]) {
  const context = await getVoteContext(trx, vote);
  if (!context?.revision || !isCoWriterRole(context.role)) return null;
  const { page, revision } = context;
  if (!isOpenForVote(page, revision)) throw new UserError(staleDraftReason(revision, page));
  await upsertVote(trx, { revisionId: revision.id, userId: vote.userId, choice: vote.choice });
  if (vote.feedback) await insertFeedback(trx, { revisionId: revision.id, userId: vote.userId, body: vote.feedback });
  const { approvals, revisions } = tallyVotes(
    castVoteInTally(context.votes, { userId: vote.userId, choice: vote.choice }),
    { kind: 'majority' },
    context.coWriters,
  );
  const previousChoice = context.votes.find((v) => v.userId === vote.userId)?.choice ?? null;
  return { page, revision, counts: { approvals, revisions }, previousChoice, coWriters: context.coWriters, story: context.story };
}

/** The draft under review, for a click that only needs to check it (Revise opens a modal). */
export async function assertDraftOpenForVote(db: Db, place: InteractionPlace, target: { pageId: number; revisionId: number }) {
  // One statement: a form is drawn before the click is acknowledged, so every round trip is the clicker's wait.
  const context = await getVoteContext(db, { ...target, userId: place.userId });
  const revision = context?.revision;
  if (!context || !revision || context.guildId !== place.guildId || context.threadId !== place.channelId) {
    throw new UserError(NOT_IN_THIS_THREAD);
  }
  const { page } = context;
  if (!isCoWriterRole(context.role)) throw new UserError(NOT_A_CO_WRITER);
  // A take of a round of takes is voted on through its round, whose take A is the page's current draft.
  const lead = revision.take === 0 ? revision : await findRevisionByVersion(db, page.id, revision.kind, revision.version, 0);
  if (revision.status !== 'open' || !lead || page.current_revision_id !== lead.id || !isReviewing(page.state)) {
    throw new UserError(staleDraftReason(revision, page));
  }
  return { page, revision };
}
