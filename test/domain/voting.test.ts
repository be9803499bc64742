import { describe, expect, it } from 'vitest';
import {
  awaitingVotes,
  castVote,
  decideAtDeadline,
  decideDraft,
  formatQuorumRule,
  parseQuorumRule,
  requiredVotes,
  tallyCounts,
  tallyVotes,
  type DeadlineRule,
  type DraftDecision,
  type QuorumRule,
  type Vote,
} from '../../src/domain/voting.js';

const majority: QuorumRule = { kind: 'majority' };
const all: QuorumRule = { kind: 'all' };
const count = (n: number): QuorumRule => ({ kind: 'count', count: n });

/** Votes from a room: 'a' approves, 'r' asks for a revision, in user order u1, u2, … */
const votesOf = (pattern: string): Vote[] =>
  [...pattern].map((c, i) => ({ userId: `u${i + 1}`, choice: c === 'a' ? 'approve' : 'revise' }));

describe('how many votes decide a draft', () => {
  // co-writers → votes needed under: majority, all, count 1, count 2, count 3, count 10
  it.each([
    [1, 1, 1, 1, 1, 1, 1],
    [2, 2, 2, 1, 2, 2, 2],
    [3, 2, 3, 1, 2, 3, 3],
    [4, 3, 4, 1, 2, 3, 4],
    [5, 3, 5, 1, 2, 3, 5],
    [6, 4, 6, 1, 2, 3, 6],
  ])('with %i co-writers: majority %i, all %i, count 1 → %i, 2 → %i, 3 → %i, 10 → %i', (n, maj, everyone, c1, c2, c3, c10) => {
    expect(requiredVotes(majority, n)).toBe(maj);
    expect(requiredVotes(all, n)).toBe(everyone);
    expect([1, 2, 3, 10].map((c) => requiredVotes(count(c), n))).toEqual([c1, c2, c3, c10]);
  });

  it.each([
    ['an empty room', majority, 0, 1],
    ['a negative room', all, -3, 1],
    ['a fractional room', majority, 4.9, 3],
    ['a count of zero', count(0), 5, 1],
    ['a fractional count', count(2.7), 5, 2],
    ['a count that is not a number', count(Number.NaN), 4, 4],
  ] as const)('%s still needs a sensible number of votes', (_name, rule, n, required) => {
    expect(requiredVotes(rule, n)).toBe(required);
  });
});

describe('casting votes', () => {
  it('a co-writer’s second click changes their vote, not the tally', () => {
    let votes: Vote[] = [];
    votes = castVote(votes, { userId: 'a', choice: 'revise' });
    votes = castVote(votes, { userId: 'a', choice: 'approve' });
    expect(votes).toEqual([{ userId: 'a', choice: 'approve' }]);
    expect(tallyVotes(votes, majority, 3)).toEqual({ approvals: 1, revisions: 0, required: 2, voters: 3 });
  });

  it('a changed vote keeps its place and the others stay as they were', () => {
    const before = votesOf('aar');
    const after = castVote(before, { userId: 'u1', choice: 'revise' });
    expect(after).toEqual([
      { userId: 'u1', choice: 'revise' },
      { userId: 'u2', choice: 'approve' },
      { userId: 'u3', choice: 'revise' },
    ]);
    expect(before).toEqual(votesOf('aar')); // the input is left alone
  });

  it('a first vote is added after the others', () => {
    expect(castVote(votesOf('a'), { userId: 'u2', choice: 'revise' })).toEqual(votesOf('ar'));
  });

  it('clicking the same choice twice changes nothing', () => {
    expect(castVote(votesOf('ar'), { userId: 'u2', choice: 'revise' })).toEqual(votesOf('ar'));
  });

  it('duplicates passed in by mistake collapse to the new vote', () => {
    const votes: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'b', choice: 'approve' },
      { userId: 'a', choice: 'approve' },
    ];
    expect(castVote(votes, { userId: 'a', choice: 'revise' })).toEqual([
      { userId: 'a', choice: 'revise' },
      { userId: 'b', choice: 'approve' },
    ]);
  });

  it('a tally counts duplicates passed in by mistake once per user, the latest winning', () => {
    const votes: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'a', choice: 'revise' },
    ];
    expect(tallyVotes(votes, majority, 2)).toEqual({ approvals: 0, revisions: 1, required: 2, voters: 2 });
  });

  it('a tally from counts made elsewhere equals the tally of the same votes, for every rule and room', () => {
    for (const rule of [majority, { kind: 'all' as const }, { kind: 'count' as const, count: 2 }]) {
      for (let room = 0; room <= 6; room += 1) {
        for (const text of ['', 'a', 'ar', 'aar', 'rrra']) {
          const votes = votesOf(text);
          const counts = {
            approvals: votes.filter((v) => v.choice === 'approve').length,
            revisions: votes.filter((v) => v.choice === 'revise').length,
          };
          expect(tallyCounts(counts, rule, room)).toEqual(tallyVotes(votes, rule, room));
        }
      }
    }
  });
});

describe('deciding a draft', () => {
  it.each([
    ['a one-writer chapter approves on one click', 'a', majority, 1, 'approved'],
    ['a one-writer chapter sends back on one click', 'r', majority, 1, 'revision_requested'],
    ['one approval of three is not yet a majority', 'a', majority, 3, 'open'],
    ['two approvals of three are a majority', 'aa', majority, 3, 'approved'],
    ['two revise votes of three send the draft back', 'rr', majority, 3, 'revision_requested'],
    ['a tie stays open', 'aarr', majority, 4, 'open'],
    ['three of four approving decide it', 'aaar', majority, 4, 'approved'],
    ['"all" waits for the last co-writer', 'aa', all, 3, 'open'],
    ['"all" approves when everyone approves', 'aaa', all, 3, 'approved'],
    ['"all" with one dissent stays open', 'aar', all, 3, 'open'],
    ['a count rule larger than the room is capped at the room', 'aaa', count(9), 3, 'approved'],
    ['one vote each way under a count of two stays open', 'ra', count(2), 6, 'open'],
    ['a count of two sends back on two revise votes', 'rar', count(2), 6, 'revision_requested'],
    ['approval wins when a low count lets both sides reach it at once', 'ar', count(1), 4, 'approved'],
    ['approval wins over revise with both at a count of two', 'aarr', count(2), 6, 'approved'],
  ] as const)('%s', (_name, pattern, rule, coWriters, decision: DraftDecision) => {
    expect(decideDraft(tallyVotes(votesOf(pattern), rule, coWriters))).toBe(decision);
  });

  it('a tie is broken when someone changes their mind', () => {
    const votes = votesOf('aarr');
    expect(decideDraft(tallyVotes(votes, majority, 4))).toBe('open');
    expect(decideDraft(tallyVotes(castVote(votes, { userId: 'u4', choice: 'approve' }), majority, 4))).toBe('approved');
  });

  it('the tally says how many are needed of how many co-writers', () => {
    expect(tallyVotes(votesOf('ar'), majority, 5)).toEqual({ approvals: 1, revisions: 1, required: 3, voters: 5 });
    expect(tallyVotes([], all, 0)).toEqual({ approvals: 0, revisions: 0, required: 1, voters: 1 });
  });
});

describe('quorum settings text', () => {
  it.each([
    ['majority', majority],
    ['ALL', all],
    ['  Majority ', majority],
    ['1', count(1)],
    ['3', count(3)],
    ['100', count(100)],
  ] as const)('reads %j', (text, rule) => {
    expect(parseQuorumRule(text)).toEqual(rule);
    expect(parseQuorumRule(formatQuorumRule(rule))).toEqual(rule);
  });

  it.each(['', '0', '-1', '2.5', '03', '1e3', '1000', 'most', 'count 3'])('refuses %j', (text) => {
    expect(parseQuorumRule(text)).toBeNull();
  });

  it.each([
    [majority, 'majority'],
    [all, 'all'],
    [count(2), '2'],
  ] as const)('writes %j as %j', (rule, text) => {
    expect(formatQuorumRule(rule)).toBe(text);
  });
});

describe('deciding at a review deadline', () => {
  const cases: [approvals: number, revisions: number, rule: DeadlineRule, revisionsLeft: boolean, expected: string][] = [
    [2, 1, 'approve_on_tie', true, 'approved'],
    [2, 1, 'revise_on_tie', true, 'approved'],
    [1, 2, 'approve_on_tie', true, 'revision_requested'],
    [1, 2, 'revise_on_tie', true, 'revision_requested'],
    [1, 1, 'approve_on_tie', true, 'approved'],
    [1, 1, 'revise_on_tie', true, 'revision_requested'],
    [0, 0, 'approve_on_tie', true, 'approved'],
    [0, 0, 'revise_on_tie', true, 'revision_requested'],
    [0, 3, 'revise_on_tie', false, 'approved'],
    [0, 0, 'revise_on_tie', false, 'approved'],
  ];
  it.each(cases)('%i approve, %i revise, %s, revisions left %s → %s', (approvals, revisions, rule, left, expected) => {
    expect(decideAtDeadline({ approvals, revisions }, rule, left)).toBe(expected);
  });

  it('names the co-writers who have not voted, in order', () => {
    expect(awaitingVotes(['a', 'b', 'c', 'd'], [{ userId: 'c' }, { userId: 'a' }, { userId: 'x' }])).toEqual(['b', 'd']);
    expect(awaitingVotes(['a'], [{ userId: 'a' }])).toEqual([]);
    expect(awaitingVotes([], [])).toEqual([]);
  });
});
