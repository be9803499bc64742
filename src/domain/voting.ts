// Voting rules: pure. One vote per co-writer per draft, changeable until the draft is decided.
// A room is never smaller than one writer, and no rule asks for more votes than the room has, so a
// draft can always be decided (a one-writer chapter decides on one click).

export type VoteChoice = 'approve' | 'revise';
export type QuorumRule = { kind: 'majority' } | { kind: 'all' } | { kind: 'count'; count: number };

export interface Vote {
  userId: string;
  choice: VoteChoice;
}

export interface Tally {
  approvals: number;
  revisions: number;
  required: number;
  voters: number;
}

export type DraftDecision = 'approved' | 'revision_requested' | 'open';

const roomSize = (coWriterCount: number) => (Number.isFinite(coWriterCount) ? Math.max(1, Math.floor(coWriterCount)) : 1);

/** Votes a decision needs: majority = more than half, all = everyone, count = that many, capped at the room. */
export function requiredVotes(rule: QuorumRule, coWriterCount: number): number {
  const n = roomSize(coWriterCount);
  switch (rule.kind) {
    case 'majority':
      return Math.floor(n / 2) + 1;
    case 'all':
      return n;
    case 'count':
      return Number.isFinite(rule.count) ? Math.min(Math.max(1, Math.floor(rule.count)), n) : n;
  }
}

/** A second vote by the same co-writer replaces the first where it stood; a first vote is appended. */
export function castVote(votes: readonly Vote[], vote: Vote): Vote[] {
  const at = votes.findIndex((v) => v.userId === vote.userId);
  if (at === -1) return [...votes, { ...vote }];
  return votes.flatMap((v, i) => (i === at ? [{ ...vote }] : v.userId === vote.userId ? [] : [v]));
}

export function tallyVotes(votes: readonly Vote[], rule: QuorumRule, coWriterCount: number): Tally {
  // The latest vote per user counts, should a caller pass duplicates.
  const latest = new Map<string, VoteChoice>();
  for (const vote of votes) latest.set(vote.userId, vote.choice);
  let approvals = 0;
  let revisions = 0;
  for (const choice of latest.values()) {
    if (choice === 'approve') approvals += 1;
    else revisions += 1;
  }
  return tallyCounts({ approvals, revisions }, rule, coWriterCount);
}

/** The tally from votes already counted (one per co-writer), for a caller that counted them in the database. */
export function tallyCounts(counts: Pick<Tally, 'approvals' | 'revisions'>, rule: QuorumRule, coWriterCount: number): Tally {
  return {
    approvals: counts.approvals,
    revisions: counts.revisions,
    required: requiredVotes(rule, coWriterCount),
    voters: roomSize(coWriterCount),
  };
}

/** Approval is checked first: with a count rule below a majority both sides could reach it, and approval wins. */
export function decideDraft(tally: Tally): DraftDecision {
  if (tally.approvals >= tally.required) return 'approved';
  if (tally.revisions >= tally.required) return 'revision_requested';
  return 'open';
}

/** Reads a quorum setting: "majority", "all" or a whole number of votes (1 to 999; capped at the room when counted). */
export function parseQuorumRule(text: string): QuorumRule | null {
  const value = text.trim().toLowerCase();
  if (value === 'majority') return { kind: 'majority' };
  if (value === 'all') return { kind: 'all' };
  if (/^[1-9][0-9]{0,2}$/.test(value)) return { kind: 'count', count: Number(value) };
  return null;
}

export function formatQuorumRule(rule: QuorumRule): string {
  return rule.kind === 'count' ? String(rule.count) : rule.kind;
}

export type DeadlineRule = 'approve_on_tie' | 'revise_on_tie';

/**
 * At a review deadline the draft is decided by the votes cast: the side with more votes wins, a tie
 * (no votes at all included) goes the rule's way. When no revision is left, sending back is not
 * possible, so the draft is approved.
 */
export function decideAtDeadline(
  tally: Pick<Tally, 'approvals' | 'revisions'>,
  rule: DeadlineRule,
  revisionsLeft: boolean,
): Exclude<DraftDecision, 'open'> {
  const byVotes =
    tally.approvals > tally.revisions
      ? 'approved'
      : tally.revisions > tally.approvals
        ? 'revision_requested'
        : rule === 'approve_on_tie'
          ? 'approved'
          : 'revision_requested';
  return byVotes === 'revision_requested' && !revisionsLeft ? 'approved' : byVotes;
}

/** Co-writers who have not voted on a draft yet, in the order given: whom a reminder names. */
export function awaitingVotes(coWriters: readonly string[], votes: readonly Pick<Vote, 'userId'>[]): string[] {
  const voted = new Set(votes.map((v) => v.userId));
  return coWriters.filter((userId) => !voted.has(userId));
}
