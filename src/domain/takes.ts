// Takes: pure. A round of review shows one or more takes of the same draft (A, B, C…). Each co-writer
// picks one take or sends the round back, and may change their mind until the round is decided. With
// one take a pick is an approval and these rules are the plain draft rules of voting.ts.

import { type DeadlineRule, type QuorumRule, requiredVotes } from './voting.js';

/** The story setting and `/page start takes:` range. */
export const MIN_TAKES = 1;
export const MAX_TAKES_SETTING = 4;
/** "Another take" adds to an open round up to this many (two rows of three Pick buttons). */
export const MAX_TAKES_PER_ROUND = 6;

export type RoundVote = { userId: string; pick: number } | { userId: string; pick: 'revise' };

export interface RoundTally {
  /** Picks per take, index 0 is take A. */
  picks: number[];
  /** Who picked each take (index 0 is A), in the order their votes came. */
  pickedBy: string[][];
  revisions: number;
  /** Who sent the round back. */
  revisedBy: string[];
  required: number;
  voters: number;
}

export type RoundDecision = { kind: 'picked'; take: number } | { kind: 'revision_requested' } | { kind: 'open' };

/** Take 0 is A. Past Z (never reached: a round holds at most six) the letters would repeat, so it throws. */
export function takeLetter(take: number): string {
  if (!Number.isInteger(take) || take < 0 || take >= 26) throw new RangeError(`no letter for take ${take}`);
  return String.fromCharCode(65 + take);
}

/** "B" or "b" → 1; anything else → null. */
export function parseTakeLetter(text: string): number | null {
  const letter = text.trim().toUpperCase();
  return /^[A-Z]$/.test(letter) ? letter.charCodeAt(0) - 65 : null;
}

/** How a version and take are written for people: "v2" when the round had one take, "v2 B" otherwise. */
export function formatVersionAndTake(version: number, take: number, takesInRound: number): string {
  return takesInRound > 1 ? `v${version} ${takeLetter(take)}` : `v${version}`;
}

/** Reads "2", "v2", "2B", "v2 b" as version 2 (take null when none was given). */
export function parseVersionAndTake(text: string): { version: number; take: number | null } | null {
  const match = /^v?\s*([1-9][0-9]{0,5})\s*([a-zA-Z])?$/.exec(text.trim());
  if (!match) return null;
  return { version: Number(match[1]), take: match[2] === undefined ? null : parseTakeLetter(match[2]) };
}

/** The story's `takes` setting or `/page start takes:`, kept within 1–4; null when it is not a whole number. */
export function parseTakesSetting(value: number): number | null {
  return Number.isInteger(value) && value >= MIN_TAKES && value <= MAX_TAKES_SETTING ? value : null;
}

export function canAddTake(takesInRound: number): boolean {
  return takesInRound < MAX_TAKES_PER_ROUND;
}

/**
 * The latest vote per co-writer counts; a pick for a take the round does not have is not counted (a
 * caller checks picks before storing them, so this only guards against a stale read).
 */
export function tallyRound(votes: readonly RoundVote[], takesInRound: number, rule: QuorumRule, coWriterCount: number): RoundTally {
  const latest = new Map<string, number | 'revise'>();
  for (const vote of votes) latest.set(vote.userId, vote.pick);
  const picks = new Array<number>(Math.max(1, takesInRound)).fill(0);
  const pickedBy = picks.map((): string[] => []);
  const revisedBy: string[] = [];
  for (const [userId, pick] of latest) {
    if (pick === 'revise') revisedBy.push(userId);
    else if (Number.isInteger(pick) && pick >= 0 && pick < picks.length) {
      picks[pick] = (picks[pick] ?? 0) + 1;
      pickedBy[pick]?.push(userId);
    }
  }
  return {
    picks,
    pickedBy,
    revisions: revisedBy.length,
    revisedBy,
    required: requiredVotes(rule, coWriterCount),
    voters: Math.max(1, Math.floor(coWriterCount)),
  };
}

/** The takes with the most picks, in letter order. */
function mostPicked(picks: readonly number[]): { takes: number[]; count: number } {
  const count = Math.max(0, ...picks);
  return { takes: picks.flatMap((n, take) => (n === count ? [take] : [])), count };
}

/**
 * A take wins when its picks reach the quorum. A count rule below a majority can let two takes (or a
 * take and Revise) reach it at once: the take with more picks wins, then the earlier letter, and a
 * pick wins over Revise, as approval does over revision for a single draft.
 */
export function decideRound(tally: Pick<RoundTally, 'picks' | 'revisions' | 'required' | 'voters'>): RoundDecision {
  const top = mostPicked(tally.picks);
  const [first] = top.takes;
  if (first !== undefined && top.count >= tally.required && top.count > 0) return { kind: 'picked', take: first };
  if (tally.revisions >= tally.required) return { kind: 'revision_requested' };
  return { kind: 'open' };
}

/**
 * At a deadline the round is decided by the picks cast: the most-picked take wins unless more
 * co-writers sent the round back. A tie (between takes, or between the top take and Revise, or no
 * votes at all) goes the story's tie rule: approve_on_tie takes the earliest of the tied takes,
 * revise_on_tie sends the round back. When no revision is left the earliest top take wins.
 */
export function decideRoundAtDeadline(
  tally: Pick<RoundTally, 'picks' | 'revisions'>,
  rule: DeadlineRule,
  revisionsLeft: boolean,
): Exclude<RoundDecision, { kind: 'open' }> {
  const top = mostPicked(tally.picks.length > 0 ? tally.picks : [0]);
  const earliest: Exclude<RoundDecision, { kind: 'open' }> = { kind: 'picked', take: top.takes[0] ?? 0 };
  const revise: Exclude<RoundDecision, { kind: 'open' }> = revisionsLeft ? { kind: 'revision_requested' } : earliest;
  if (tally.revisions > top.count) return revise;
  const tied = top.takes.length > 1 || tally.revisions === top.count;
  if (!tied) return earliest;
  return rule === 'approve_on_tie' ? earliest : revise;
}
