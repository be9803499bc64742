import { describe, expect, it } from 'vitest';
import {
  canAddTake,
  decideRound,
  decideRoundAtDeadline,
  formatVersionAndTake,
  MAX_TAKES_PER_ROUND,
  parseTakeLetter,
  parseTakesSetting,
  parseVersionAndTake,
  tallyRound,
  takeLetter,
  type RoundVote,
} from '../../src/domain/takes.js';
import { decideAtDeadline, decideDraft, tallyCounts, type DeadlineRule, type QuorumRule } from '../../src/domain/voting.js';

const RULES: QuorumRule[] = [
  { kind: 'majority' },
  { kind: 'all' },
  { kind: 'count', count: 1 },
  { kind: 'count', count: 2 },
  { kind: 'count', count: 3 },
];
const DEADLINE_RULES: DeadlineRule[] = ['approve_on_tie', 'revise_on_tie'];

/** Every way `voters` co-writers can vote on a round of `takes`: each abstains, picks a take, or sends it back. */
function* everyBallot(voters: number, takes: number): Generator<RoundVote[]> {
  const options = takes + 2;
  for (let code = 0; code < options ** voters; code += 1) {
    const votes: RoundVote[] = [];
    let rest = code;
    for (let voter = 0; voter < voters; voter += 1) {
      const option = rest % options;
      rest = Math.floor(rest / options);
      if (option === 0) continue;
      votes.push({ userId: `u${voter}`, pick: option === 1 ? 'revise' : option - 2 });
    }
    yield votes;
  }
}

describe('take letters and addresses', () => {
  it('letters takes from A and reads them back either case', () => {
    expect([0, 1, 2, 5].map(takeLetter)).toEqual(['A', 'B', 'C', 'F']);
    expect(() => takeLetter(-1)).toThrow(RangeError);
    expect(() => takeLetter(26)).toThrow(RangeError);
    expect(() => takeLetter(1.5)).toThrow(RangeError);
    expect(['a', 'B', ' c ', 'AB', '', '1', 'é'].map(parseTakeLetter)).toEqual([0, 1, 2, null, null, null, null]);
  });

  it('writes "v2 B" only when the round had several takes, and reads every spelling of it', () => {
    expect(formatVersionAndTake(2, 0, 1)).toBe('v2');
    expect(formatVersionAndTake(2, 1, 3)).toBe('v2 B');
    expect(['2', 'v2', 'V2', '2B', 'v2 b', ' v 12 c '].map(parseVersionAndTake)).toEqual([
      { version: 2, take: null },
      { version: 2, take: null },
      null,
      { version: 2, take: 1 },
      { version: 2, take: 1 },
      { version: 12, take: 2 },
    ]);
    expect(['0', 'v', 'B', '2 BB', '-1', '2.5', '1234567'].map(parseVersionAndTake)).toEqual([null, null, null, null, null, null, null]);
  });

  it('keeps the takes setting within 1–4 and a round within six takes', () => {
    expect([0, 1, 2, 4, 5, 2.5, Number.NaN].map(parseTakesSetting)).toEqual([null, 1, 2, 4, null, null, null]);
    expect([1, 5, MAX_TAKES_PER_ROUND, 7].map(canAddTake)).toEqual([true, true, false, false]);
  });
});

describe('tallyRound', () => {
  it('counts the latest vote per co-writer and ignores a pick for a take the round does not have', () => {
    const votes: RoundVote[] = [
      { userId: 'a', pick: 0 },
      { userId: 'b', pick: 1 },
      { userId: 'a', pick: 2 },
      { userId: 'c', pick: 'revise' },
      { userId: 'd', pick: 7 },
      { userId: 'e', pick: -1 },
    ];
    expect(tallyRound(votes, 3, { kind: 'majority' }, 5)).toEqual({
      picks: [0, 1, 1],
      pickedBy: [[], ['b'], ['a']],
      revisions: 1,
      revisedBy: ['c'],
      required: 3,
      voters: 5,
    });
    expect(tallyRound([], 0, { kind: 'all' }, 0)).toEqual({
      picks: [0],
      pickedBy: [[]],
      revisions: 0,
      revisedBy: [],
      required: 1,
      voters: 1,
    });
  });
});

describe('a one-take round follows the plain draft rules', () => {
  it('decides as decideDraft for every room of 1–6, every rule and every vote', () => {
    for (let voters = 1; voters <= 6; voters += 1) {
      for (const rule of RULES) {
        for (const votes of everyBallot(voters, 1)) {
          const round = tallyRound(votes, 1, rule, voters);
          const approvals = votes.filter((vote) => vote.pick === 0).length;
          const draft = decideDraft(tallyCounts({ approvals, revisions: votes.length - approvals }, rule, voters));
          const expected =
            draft === 'approved'
              ? { kind: 'picked', take: 0 }
              : draft === 'revision_requested'
                ? { kind: 'revision_requested' }
                : { kind: 'open' };
          expect(decideRound(round)).toEqual(expected);
        }
      }
    }
  });

  it('decides at a deadline as decideAtDeadline, for each tie rule with and without revisions left', () => {
    for (let approvals = 0; approvals <= 4; approvals += 1) {
      for (let revisions = 0; revisions <= 4; revisions += 1) {
        for (const rule of DEADLINE_RULES) {
          for (const revisionsLeft of [true, false]) {
            const draft = decideAtDeadline({ approvals, revisions }, rule, revisionsLeft);
            expect(decideRoundAtDeadline({ picks: [approvals], revisions }, rule, revisionsLeft)).toEqual(
              draft === 'approved' ? { kind: 'picked', take: 0 } : { kind: 'revision_requested' },
            );
          }
        }
      }
    }
  });
});

describe('a round of several takes', () => {
  it('is decided by a take reaching the quorum, the most-picked and earliest first, a pick before Revise: every ballot of 1–4 writers over 2–4 takes', () => {
    for (let voters = 1; voters <= 4; voters += 1) {
      for (let takes = 2; takes <= 4; takes += 1) {
        for (const rule of RULES) {
          for (const votes of everyBallot(voters, takes)) {
            const tally = tallyRound(votes, takes, rule, voters);
            const decision = decideRound(tally);
            const top = Math.max(...tally.picks);
            if (decision.kind === 'picked') {
              expect(tally.picks[decision.take]).toBe(top);
              expect(top).toBeGreaterThanOrEqual(tally.required);
              expect(tally.picks.indexOf(top)).toBe(decision.take);
            } else if (decision.kind === 'revision_requested') {
              expect(top).toBeLessThan(tally.required);
              expect(tally.revisions).toBeGreaterThanOrEqual(tally.required);
            } else {
              expect(top).toBeLessThan(tally.required);
              expect(tally.revisions).toBeLessThan(tally.required);
            }
          }
        }
      }
    }
  });

  it.each([
    // picks per take, revisions, required → decision
    [[2, 0, 0], 0, 2, { kind: 'picked', take: 0 }],
    [[0, 2, 0], 1, 2, { kind: 'picked', take: 1 }],
    [[1, 1, 1], 0, 2, { kind: 'open' }],
    [[1, 1, 0], 2, 2, { kind: 'revision_requested' }],
    // A count rule of 1: everyone's first vote reaches it; the most-picked take wins, then the earlier one.
    [[1, 2, 0], 1, 1, { kind: 'picked', take: 1 }],
    [[0, 1, 1], 1, 1, { kind: 'picked', take: 1 }],
    [[0, 0, 0], 1, 1, { kind: 'revision_requested' }],
    [[0, 0, 0], 0, 1, { kind: 'open' }],
  ])('picks %j with %i revisions and %i required → %j', (picks, revisions, required, expected) => {
    expect(decideRound({ picks, revisions, required, voters: 6 })).toEqual(expected);
  });

  it.each([
    // picks, revisions, rule, revisions left → decision
    [[1, 3, 2], 0, 'revise_on_tie', true, { kind: 'picked', take: 1 }],
    [[1, 2, 2], 0, 'approve_on_tie', true, { kind: 'picked', take: 1 }],
    [[1, 2, 2], 0, 'revise_on_tie', true, { kind: 'revision_requested' }],
    [[1, 2, 2], 0, 'revise_on_tie', false, { kind: 'picked', take: 1 }],
    [[2, 1, 0], 2, 'approve_on_tie', true, { kind: 'picked', take: 0 }],
    [[2, 1, 0], 2, 'revise_on_tie', true, { kind: 'revision_requested' }],
    [[2, 1, 0], 3, 'approve_on_tie', true, { kind: 'revision_requested' }],
    [[2, 1, 0], 3, 'approve_on_tie', false, { kind: 'picked', take: 0 }],
    [[0, 0, 0], 0, 'approve_on_tie', true, { kind: 'picked', take: 0 }],
    [[0, 0, 0], 0, 'revise_on_tie', true, { kind: 'revision_requested' }],
    [[0, 0, 0], 0, 'revise_on_tie', false, { kind: 'picked', take: 0 }],
    [[], 0, 'approve_on_tie', true, { kind: 'picked', take: 0 }],
  ] as const)('at a deadline, picks %j with %i revisions under %s (revisions left: %s) → %j', (picks, revisions, rule, left, expected) => {
    expect(decideRoundAtDeadline({ picks: [...picks], revisions }, rule, left)).toEqual(expected);
  });

  it('at a deadline always names a take of the round or sends it back, and the winner has the most picks', () => {
    for (let takes = 2; takes <= 4; takes += 1) {
      for (const votes of everyBallot(4, takes)) {
        const tally = tallyRound(votes, takes, { kind: 'majority' }, 4);
        for (const rule of DEADLINE_RULES) {
          for (const left of [true, false]) {
            const decision = decideRoundAtDeadline(tally, rule, left);
            if (decision.kind === 'picked') {
              expect(tally.picks[decision.take]).toBe(Math.max(...tally.picks));
              expect(tally.picks.indexOf(Math.max(...tally.picks))).toBe(decision.take);
            } else {
              // Sent back: more co-writers asked for it, or a tie (takes level at the top, or the top take level with Revise) under revise_on_tie.
              const top = Math.max(...tally.picks);
              const tiedAtTop = tally.picks.filter((n) => n === top).length > 1 || tally.revisions === top;
              expect(left).toBe(true);
              expect(tally.revisions > top || (tiedAtTop && rule === 'revise_on_tie')).toBe(true);
            }
          }
        }
      }
    }
  });
});
