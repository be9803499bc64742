import { describe, expect, it } from 'vitest';
import {
  castVote,
  decideDraft,
  formatQuorumRule,
  parseQuorumRule,
  requiredVotes,
  tallyVotes,
  type QuorumRule,
  type Vote,
} from '../../src/domain/voting.js';

describe('quorum', () => {
  it.each([
    [1, 1, 1, 1],
    [2, 2, 2, 2],
    [3, 2, 3, 2],
    [4, 3, 4, 2],
    [5, 3, 5, 2],
    [6, 4, 6, 2],
  ])('with %i co-writers: majority %i, all %i, count 2 → %i', (n, majority, all, two) => {
    expect(requiredVotes({ kind: 'majority' }, n)).toBe(majority);
    expect(requiredVotes({ kind: 'all' }, n)).toBe(all);
    expect(requiredVotes({ kind: 'count', count: 2 }, n)).toBe(Math.min(two, n));
  });

  it('caps a count larger than the room so a draft can always be decided', () => {
    expect(requiredVotes({ kind: 'count', count: 9 }, 3)).toBe(3);
  });

  it('treats an empty room as one writer', () => {
    expect(requiredVotes({ kind: 'majority' }, 0)).toBe(1);
  });
});

describe('votes and decisions', () => {
  const majority: QuorumRule = { kind: 'majority' };

  it('a one-writer chapter decides on one click', () => {
    expect(decideDraft(tallyVotes([{ userId: 'a', choice: 'approve' }], majority, 1))).toBe('approved');
    expect(decideDraft(tallyVotes([{ userId: 'a', choice: 'revise' }], majority, 1))).toBe('revision_requested');
  });

  it('a co-writer’s second click changes their vote, not the tally', () => {
    let votes: Vote[] = [];
    votes = castVote(votes, { userId: 'a', choice: 'revise' });
    votes = castVote(votes, { userId: 'a', choice: 'approve' });
    expect(votes).toEqual([{ userId: 'a', choice: 'approve' }]);
    expect(tallyVotes(votes, majority, 3)).toEqual({ approvals: 1, revisions: 0, required: 2, voters: 3 });
  });

  it('a tie stays open until someone changes their mind', () => {
    const votes: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'b', choice: 'approve' },
      { userId: 'c', choice: 'revise' },
      { userId: 'd', choice: 'revise' },
    ];
    expect(decideDraft(tallyVotes(votes, majority, 4))).toBe('open');
    expect(decideDraft(tallyVotes(castVote(votes, { userId: 'd', choice: 'approve' }), majority, 4))).toBe('approved');
  });

  it('approval wins when a low count rule lets both sides reach it', () => {
    const votes: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'b', choice: 'revise' },
    ];
    expect(decideDraft(tallyVotes(votes, { kind: 'count', count: 1 }, 4))).toBe('approved');
  });

  it('needs everyone under "all"', () => {
    const two: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'b', choice: 'approve' },
    ];
    expect(decideDraft(tallyVotes(two, { kind: 'all' }, 3))).toBe('open');
    expect(decideDraft(tallyVotes(castVote(two, { userId: 'c', choice: 'approve' }), { kind: 'all' }, 3))).toBe('approved');
  });

  it('counts duplicates passed in by mistake once per user, the latest winning', () => {
    const votes: Vote[] = [
      { userId: 'a', choice: 'approve' },
      { userId: 'a', choice: 'revise' },
    ];
    expect(tallyVotes(votes, majority, 2)).toMatchObject({ approvals: 0, revisions: 1 });
  });
});

describe('quorum settings text', () => {
  it.each([
    ['majority', { kind: 'majority' }],
    ['ALL', { kind: 'all' }],
    ['3', { kind: 'count', count: 3 }],
  ])('reads %j', (text, rule) => {
    expect(parseQuorumRule(text)).toEqual(rule);
    expect(parseQuorumRule(formatQuorumRule(rule as QuorumRule))).toEqual(rule);
  });
  it.each(['', '0', '-1', '2.5', 'most', '100'])('refuses %j', (text) => {
    expect(parseQuorumRule(text)).toBeNull();
  });
});
