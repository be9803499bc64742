import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, PageRevision, StoryPage } from '../db/database.js';
import type { OutboxJob } from '../db/outbox.js';
import { countRevisions, getRevision, lockPage } from '../db/pages.js';
import { getReviewRules } from '../db/stories.js';
import { listCountedVotes } from '../db/votes.js';
import { isReviewing } from '../domain/page-state-machine.js';
import { decideAtDeadline, tallyVotes, type Tally } from '../domain/voting.js';
import { applyPageEvent } from './apply-page-event.js';

export interface DecidedDraft {
  page: StoryPage;
  revision: PageRevision;
  queued: readonly OutboxJob[];
}

/** The draft is the page's current one and still up for a vote. */
export function isOpenForVote(page: Pick<StoryPage, 'state' | 'stage' | 'current_revision_id'>, revision: Pick<PageRevision, 'id' | 'status' | 'kind'>): boolean {
  return revision.status === 'open' && page.current_revision_id === revision.id && isReviewing(page.state) && page.stage === revision.kind;
}

/**
 * Moves a page on from its open draft, approved or sent back: the quorum's decision on a click, or
 * the votes cast when a review deadline passes. Runs on the caller's locked page.
 */
export async function decideOpenDraft(
  trx: Transaction<Database>,
  decided: { page: StoryPage; revision: Pick<PageRevision, 'id' | 'kind'>; decision: 'approved' | 'revision_requested'; maxRevisions: number; actorId: string | null; details?: Record<string, unknown> },
): Promise<DecidedDraft> {
  const { page, revision, actorId } = decided;
  const details = { revisionId: revision.id, ...decided.details };
  const event =
    decided.decision === 'approved'
      ? { type: 'draft_approved' as const, kind: revision.kind }
      : {
          type: 'revision_requested' as const,
          kind: revision.kind,
          revisionsSoFar: (await countRevisions(trx, page.id, revision.kind)) - 1,
          maxRevisions: decided.maxRevisions,
        };
  const applied = await applyPageEvent(trx, { page, event, actorId, details });
  // Approving or sending back always closes the draft's vote (the state machine's close_draft_voting).
  if (!applied.closedDraft) throw new Error(`deciding page ${page.id} closed no draft`);
  return { page: applied.page, revision: applied.closedDraft, queued: applied.queued };
}

export interface DeadlineOutcome extends DecidedDraft {
  decision: 'approved' | 'revision_requested';
  tally: Tally;
}

/**
 * At a review deadline the draft is decided by the votes cast, following the story's rule for a tie;
 * null when the draft was decided (or replaced) before its deadline came.
 */
export async function decideDraftAtDeadline(db: Db, target: { pageId: number; revisionId: number }): Promise<DeadlineOutcome | null> {
  return db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, target.pageId);
    const revision = await getRevision(trx, target.revisionId);
    if (!page || !revision || !isOpenForVote(page, revision)) return null;
    const rules = await getReviewRules(trx, page.chapter_id);
    // The quorum does not matter at a deadline: only which side has more votes.
    const tally = tallyVotes(await listCountedVotes(trx, revision.id), { kind: 'all' }, 1);
    const drafted = await countRevisions(trx, page.id, revision.kind);
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
