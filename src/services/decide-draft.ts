import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, PageRevision, StoryPage } from '../db/database.js';
import { countRevisions, getRevision, lockPage } from '../db/pages.js';
import { getReviewRules } from '../db/stories.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { findNextVersion, listRoundTakes } from '../db/revisions.js';
import type { Executor } from '../db/executor.js';
import { listCountedRoundVotes, listCountedVotes } from '../db/votes.js';
import { describePageState, isReviewing } from '../domain/page-state-machine.js';
import { decideRoundAtDeadline, takeLetter, tallyRound } from '../domain/takes.js';
import { decideAtDeadline, tallyVotes, type Tally } from '../domain/voting.js';
import { applyPageEvent } from './apply-page-event.js';

export interface DecidedDraft {
  page: StoryPage;
  revision: PageRevision;
}

/** The draft is the page's current one and still up for a vote. */
export function isOpenForVote(
  page: Pick<StoryPage, 'state' | 'stage' | 'current_revision_id'>,
  revision: Pick<PageRevision, 'id' | 'status' | 'kind'>,
): boolean {
  return revision.status === 'open' && page.current_revision_id === revision.id && isReviewing(page.state) && page.stage === revision.kind;
}

/**
 * Moves a page on from its open draft, approved or sent back: the quorum's decision on a click, or
 * the votes cast when a review deadline passes. Runs on the caller's locked page.
 */
export async function decideOpenDraft(
  trx: Transaction<Database>,
  decided: {
    page: StoryPage;
    revision: Pick<PageRevision, 'id' | 'kind'>;
    decision: 'approved' | 'revision_requested';
    /** In a round of takes, the take approved (0 is A). */
    take?: number;
    maxRevisions: number;
    actorId: string | null;
    details?: Record<string, unknown>;
  },
): Promise<DecidedDraft> {
  const { page, revision, actorId, take } = decided;
  const details = { revisionId: revision.id, ...decided.details };
  const event =
    decided.decision === 'approved'
      ? take === undefined
        ? { type: 'draft_approved' as const, kind: revision.kind }
        : { type: 'take_picked' as const, kind: revision.kind, take }
      : {
          type: 'revision_requested' as const,
          kind: revision.kind,
          revisionsSoFar: (await countRevisions(trx, page.id, revision.kind)) - 1,
          maxRevisions: decided.maxRevisions,
        };
  const applied = await applyPageEvent(trx, { page, event, actorId, details });
  // Approving or sending back always closes the draft's vote (the state machine's close_draft_voting).
  if (!applied.closedDraft) throw new Error(`deciding page ${page.id} closed no draft`);
  return { page: applied.page, revision: applied.closedDraft };
}

export interface DeadlineOutcome extends DecidedDraft {
  decision: 'approved' | 'revision_requested';
  tally: Tally;
  /** A round of takes: the take approved, and the picks each take had. */
  take?: number;
  picks?: number[];
}

/**
 * At a review deadline the draft is decided by the votes cast, following the story's rule for a tie;
 * null when the draft was decided (or replaced) before its deadline came.
 */
export async function decideDraftAtDeadline(db: Db, target: { pageId: number; revisionId: number }): Promise<DeadlineOutcome | null> {
  return runInTransaction(db, async (trx) => {
    const page = await lockPage(trx, target.pageId);
    const revision = await getRevision(trx, target.revisionId);
    if (!page || !revision || !isOpenForVote(page, revision)) return null;
    const rules = await getReviewRules(trx, page.chapter_id);
    const drafted = await countRevisions(trx, page.id, revision.kind);
    const takes = await listRoundTakes(trx, revision);
    if (takes.length > 1) {
      // A round of takes: the most-picked take wins, unless more co-writers sent the round back.
      const round = tallyRound(await listCountedRoundVotes(trx, revision.id), takes.length, { kind: 'all' }, 1);
      const outcome = decideRoundAtDeadline(round, rules.deadline_rule, drafted - 1 < rules.max_revisions);
      const take = outcome.kind === 'picked' ? outcome.take : undefined;
      const decision = outcome.kind === 'picked' ? 'approved' : 'revision_requested';
      const approvals = round.picks.reduce((sum, n) => sum + n, 0);
      const decided = await decideOpenDraft(trx, {
        page,
        revision,
        decision,
        ...(take === undefined ? {} : { take }),
        maxRevisions: rules.max_revisions,
        actorId: null,
        details: { reason: 'review deadline', picks: round.picks, revisions: round.revisions },
      });
      return {
        ...decided,
        decision,
        tally: { approvals, revisions: round.revisions, required: 1, voters: 1 },
        picks: round.picks,
        ...(take === undefined ? {} : { take }),
      };
    }
    // The quorum does not matter at a deadline: only which side has more votes.
    const tally = tallyVotes(await listCountedVotes(trx, revision.id), { kind: 'all' }, 1);
    const decision = decideAtDeadline(tally, rules.deadline_rule, drafted - 1 < rules.max_revisions);
    const decided = await decideOpenDraft(trx, {
      page,
      revision,
      decision,
      maxRevisions: rules.max_revisions,
      actorId: null,
      details: { reason: 'review deadline', approvals: tally.approvals, revisions: tally.revisions },
    });
    return { ...decided, decision, tally };
  });
}

/**
 * Why a click on a draft or a take no longer applies, told as it happened: in a round of takes, which
 * take was picked (or that the round was sent back); for a draft replaced by an edit, who saved it.
 */
export async function staleReason(db: Executor, revision: PageRevision, page: StoryPage): Promise<string> {
  const takes = await listRoundTakes(db, revision);
  const round = `${revision.kind} v${revision.version}`;
  if (takes.length > 1) {
    const picked = takes.find((take) => take.status === 'approved');
    if (picked)
      return picked.id === revision.id
        ? `Take ${takeLetter(picked.take)} of ${round} was already picked: the round is decided. Nothing was changed.`
        : `The ${round} round is decided: take ${takeLetter(picked.take)} was picked, not take ${takeLetter(revision.take)}. Nothing was changed.`;
    if (revision.status === 'revision_requested')
      return `The ${round} round was sent back for revision; the next takes are being written. Nothing was changed.`;
  }
  if (revision.status === 'superseded') {
    const next = await findNextVersion(db, revision);
    if (next?.edited_by)
      return `<@${next.edited_by}> saved an edit of ${round} first: it is ${revision.kind} v${next.version}, up for a vote below. Nothing was changed.`;
    if (next?.restored_from_version)
      return `${round} was replaced by v${next.version}, restored from v${next.restored_from_version}. Nothing was changed.`;
  }
  return staleDraftReason(revision, page);
}

/** Why a vote on a draft (or a take) no longer applies, in words. */
export function staleDraftReason(
  revision: Pick<PageRevision, 'kind' | 'version' | 'status'> & Partial<Pick<PageRevision, 'take'>>,
  page: StoryPage,
): string {
  const label = `${revision.kind} v${revision.version}${revision.take ? ` take ${takeLetter(revision.take)}` : ''}`;
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
