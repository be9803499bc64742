import type { Db } from '../db/connection.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import type { OutboxJob } from '../db/outbox.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { getVoteContext, insertFeedback, lockPageForVote, recordVoteInOneStatement, upsertVote, type VotedRevision } from '../db/votes.js';
import { describePageState, isReviewing } from '../domain/page-state-machine.js';
import { castVote as castVoteInTally, decideDraft, parseQuorumRule, tallyCounts, tallyVotes, type DraftDecision, type Tally, type VoteChoice } from '../domain/voting.js';
import { assertCoWriter, isCoWriterRole, NOT_A_CO_WRITER, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { decideOpenDraft, isOpenForVote } from './decide-draft.js';
import { UserError } from './user-error.js';

export interface VoteOutcome {
  page: StoryPage;
  revision: VotedRevision;
  tally: Tally;
  decision: DraftDecision;
  /** The co-writer had voted differently before: this click changed their vote. */
  changed: boolean;
  queued: readonly OutboxJob[];
  /** The draft was decided and its story schedules reminders or deadlines: their jobs can be dropped. */
  reviewJobsPending: boolean;
}

/**
 * A co-writer's vote on a draft, with optional feedback. Most clicks take one statement that checks
 * and records the vote; a vote that decides the draft (or whose snapshot another vote overtook) is
 * taken again in one transaction under the page lock, which applies the decision.
 */
export async function castVote(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  choice: VoteChoice,
  feedback: string | null,
): Promise<VoteOutcome> {
  const attempt = await recordVoteInOneStatement(db, { ...target, guildId: place.guildId, threadId: place.channelId, userId: place.userId, choice, feedback });
  if (!attempt?.revision) throw new UserError(NOT_IN_THIS_THREAD);
  const { page, revision } = attempt;
  if (!isCoWriterRole(attempt.role)) throw new UserError(NOT_A_CO_WRITER);
  if (!attempt.recorded) {
    // A decided draft stays decided; anything else (a deciding vote, a stale snapshot, a draft
    // replaced meanwhile) is settled under the lock, which also words a refusal precisely.
    if (revision.status !== 'open') throw new UserError(staleDraftReason(revision, page));
    return castVoteUnderLock(db, place, target, choice, feedback);
  }
  const counts = { approvals: attempt.otherVotes.approvals + (choice === 'approve' ? 1 : 0), revisions: attempt.otherVotes.revisions + (choice === 'revise' ? 1 : 0) };
  const tally = tallyCounts(counts, parseQuorumRule(attempt.story.quorum) ?? { kind: 'majority' }, attempt.coWriters);
  const changed = attempt.previousChoice !== null && attempt.previousChoice !== choice;
  return { page, revision, tally, decision: 'open', changed, queued: [], reviewJobsPending: false };
}

/** The vote in one transaction under the page lock: records it and applies the decision when the quorum is reached. */
async function castVoteUnderLock(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  choice: VoteChoice,
  feedback: string | null,
): Promise<VoteOutcome> {
  return db.transaction().execute(async (trx) => {
    // Lock first, then read: in READ COMMITTED a statement that waits for a lock still reads its other
    // rows (votes, the draft's status) from before the wait.
    await lockPageForVote(trx, target.pageId);
    const context = await getVoteContext(trx, { ...target, userId: place.userId });
    if (!context || context.guildId !== place.guildId || context.threadId !== place.channelId || !context.revision) {
      throw new UserError(NOT_IN_THIS_THREAD);
    }
    const { page, revision } = context;
    if (!isCoWriterRole(context.role)) throw new UserError(NOT_A_CO_WRITER);
    if (!isOpenForVote(page, revision)) throw new UserError(staleDraftReason(revision, page));
    const previous = context.votes.find((vote) => vote.userId === place.userId);
    await upsertVote(trx, { revisionId: revision.id, userId: place.userId, choice });
    if (feedback) await insertFeedback(trx, { revisionId: revision.id, userId: place.userId, body: feedback });
    const votes = castVoteInTally(context.votes, { userId: place.userId, choice });
    const tally = tallyVotes(votes, parseQuorumRule(context.story.quorum) ?? { kind: 'majority' }, context.coWriters);
    const decision = decideDraft(tally);
    const outcome = { tally, decision, changed: previous !== undefined && previous.choice !== choice };
    if (decision === 'open') return { ...outcome, page, revision, queued: [], reviewJobsPending: false };
    const decided = await decideOpenDraft(trx, { page, revision, decision, maxRevisions: context.story.maxRevisions, actorId: place.userId });
    return { ...outcome, ...decided, reviewJobsPending: context.story.schedulesReviews };
  });
}

export function staleDraftReason(revision: Pick<PageRevision, 'kind' | 'version' | 'status'>, page: StoryPage): string {
  const label = `${revision.kind} v${revision.version}`;
  switch (revision.status) {
    case 'approved':
      return `The ${label} draft was already approved.`;
    case 'revision_requested':
      return `The ${label} draft was already sent back for revision.`;
    case 'superseded':
      return `The ${label} draft was superseded by a newer version.`;
    case 'open':
      return `The ${label} draft is not up for a vote any more (${describePageState(page)}).`;
  }
}

/** The draft under review, for a click that only needs to check it (Revise opens a modal). */
export async function assertDraftOpenForVote(db: Db, place: InteractionPlace, target: { pageId: number; revisionId: number }) {
  const page = await getPageWithPlace(db, target.pageId);
  const revision = await getRevision(db, target.revisionId);
  if (!page || !revision || revision.page_id !== page.id || page.guild_id !== place.guildId || page.thread_id !== place.channelId) {
    throw new UserError(NOT_IN_THIS_THREAD);
  }
  await assertCoWriter(db, page.chapter_id, place.userId);
  if (revision.status !== 'open' || page.current_revision_id !== revision.id || !isReviewing(page.state)) {
    throw new UserError(staleDraftReason(revision, page));
  }
  return { page, revision };
}
