// Voting rules: pure. One vote per co-writer per draft, changeable until the draft is decided.

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

/** Votes a decision needs. A count larger than the room is capped, so a draft can always be decided. */
export function requiredVotes(rule: QuorumRule, coWriterCount: number): number {
  const n = Math.max(1, Math.floor(coWriterCount));
  switch (rule.kind) {
    case 'majority':
      return Math.floor(n / 2) + 1;
    case 'all':
      return n;
    case 'count':
      return Math.min(Math.max(1, Math.floor(rule.count)), n);
  }
}

/** A second vote by the same co-writer replaces the first. */
export function castVote(votes: readonly Vote[], vote: Vote): Vote[] {
  const others = votes.filter((v) => v.userId !== vote.userId);
  return [...others, vote];
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
  return { approvals, revisions, required: requiredVotes(rule, coWriterCount), voters: Math.max(1, coWriterCount) };
}

/** Approval is checked first: with a count rule below a majority both sides could reach it, and approval wins. */
export function decideDraft(tally: Tally): DraftDecision {
  if (tally.approvals >= tally.required) return 'approved';
  if (tally.revisions >= tally.required) return 'revision_requested';
  return 'open';
}

export function parseQuorumRule(text: string): QuorumRule | null {
  const value = text.trim().toLowerCase();
  if (value === 'majority') return { kind: 'majority' };
  if (value === 'all') return { kind: 'all' };
  if (/^[1-9][0-9]?$/.test(value)) return { kind: 'count', count: Number(value) };
  return null;
}

export function formatQuorumRule(rule: QuorumRule): string {
  return rule.kind === 'count' ? String(rule.count) : rule.kind;
}
