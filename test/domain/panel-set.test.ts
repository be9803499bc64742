import { describe, expect, it } from 'vitest';
import {
  describePanelSet,
  describePanelSetVote,
  panelSetVersion,
  voteOnPanelSet,
  type PanelRenderStatus,
  type PanelSetInput,
} from '../../src/domain/panel-set.js';
import type { QuorumRule } from '../../src/domain/voting.js';

const majority: QuorumRule = { kind: 'majority' };

/** A two-panel page whose renders are 11 and 12, done, in a room of `coWriters`. */
function setOf(overrides: Partial<PanelSetInput> = {}): PanelSetInput {
  return {
    panelCount: 2,
    latestRenders: [
      { id: 11, status: 'done' },
      { id: 12, status: 'done' },
    ],
    votes: [],
    rule: majority,
    coWriters: 3,
    approvedVersion: null,
    ...overrides,
  };
}

const votes = (version: number, ...users: string[]) => users.map((userId) => ({ userId, setVersion: version }));

describe('the version of a page’s set of panels', () => {
  it('is the highest render id, so any new render makes a new version', () => {
    expect(panelSetVersion([11, 12])).toBe(12);
    expect(panelSetVersion([13, 12])).toBe(13);
    expect(panelSetVersion([])).toBe(0);
  });
});

describe('the phase of the set', () => {
  const render = (status: PanelRenderStatus) => [
    { id: 11, status: 'done' as const },
    { id: 12, status },
  ];
  it.each([
    ['every panel drawn', setOf(), 'open'],
    ['a panel waiting', setOf({ latestRenders: render('queued') }), 'rendering'],
    ['a panel rendering', setOf({ latestRenders: render('submitted') }), 'rendering'],
    ['a panel failed', setOf({ latestRenders: render('failed') }), 'incomplete'],
    ['a panel never drawn', setOf({ panelCount: 3 }), 'incomplete'],
    ['no panels', setOf({ panelCount: 0, latestRenders: [] }), 'incomplete'],
    ['approved', setOf({ approvedVersion: 12 }), 'approved'],
    ['approved, whatever the renders say', setOf({ approvedVersion: 12, latestRenders: render('failed') }), 'approved'],
    ['an earlier set approved (the page was reopened and drew new panels)', setOf({ approvedVersion: 9 }), 'open'],
  ])('%s → %s', (_name, input, phase) => {
    expect(describePanelSet(input).phase).toBe(phase);
  });
});

describe('approving the set by the story’s quorum', () => {
  // rule, co-writers, approvals before the click (of the current version) → decided by this click?
  it.each<[string, QuorumRule, number, string[], boolean]>([
    ['one co-writer decides alone', majority, 1, [], true],
    ['majority of 2: the first of two is not enough', majority, 2, [], false],
    ['majority of 2: the second decides', majority, 2, ['u2'], true],
    ['majority of 3: two decide', majority, 3, ['u2'], true],
    ['majority of 4: three are needed', majority, 4, ['u2'], false],
    ['majority of 4: the third decides', majority, 4, ['u2', 'u3'], true],
    ['all of 3: two are not enough', { kind: 'all' }, 3, ['u2'], false],
    ['all of 3: the last decides', { kind: 'all' }, 3, ['u2', 'u3'], true],
    ['count 1 of 5 decides at once', { kind: 'count', count: 1 }, 5, [], true],
    ['count 10 is capped at a room of 2', { kind: 'count', count: 10 }, 2, ['u2'], true],
  ])('%s', (_name, rule, coWriters, before, decided) => {
    const outcome = voteOnPanelSet(setOf({ rule, coWriters, votes: votes(12, ...before) }), { userId: 'u1', setVersion: 12 });
    expect(outcome.kind).toBe('counted');
    if (outcome.kind !== 'counted') return;
    expect(outcome.decided).toBe(decided);
    expect(outcome.state.tally.approvals).toBe(before.length + 1);
    expect(outcome.state.phase).toBe(decided ? 'approved' : 'open');
  });

  it('a co-writer’s second click on the same version is refused and counts once', () => {
    const outcome = voteOnPanelSet(setOf({ votes: votes(12, 'u1') }), { userId: 'u1', setVersion: 12 });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'already_approved_by_you', state: { tally: { approvals: 1 } } });
  });

  it('a reroll after votes resets the tally: approvals of the earlier version stop counting', () => {
    const rerolled = setOf({
      latestRenders: [
        { id: 11, status: 'done' },
        { id: 13, status: 'done' },
      ],
      votes: votes(12, 'u2', 'u3'),
    });
    expect(describePanelSet(rerolled).tally.approvals).toBe(0);
    const outcome = voteOnPanelSet(rerolled, { userId: 'u1', setVersion: 13 });
    expect(outcome).toMatchObject({ kind: 'counted', decided: false, state: { version: 13, tally: { approvals: 1, required: 2 } } });
  });

  it('a co-writer who approved the earlier version approves the new one again', () => {
    const rerolled = setOf({
      latestRenders: [
        { id: 11, status: 'done' },
        { id: 13, status: 'done' },
      ],
      votes: [...votes(12, 'u1', 'u2'), ...votes(13, 'u2')],
    });
    expect(voteOnPanelSet(rerolled, { userId: 'u1', setVersion: 13 })).toMatchObject({ kind: 'counted', decided: true });
  });

  it.each<[string, Partial<PanelSetInput>, number, string]>([
    [
      'a click on the version before a reroll',
      {
        latestRenders: [
          { id: 11, status: 'done' },
          { id: 13, status: 'done' },
        ],
      },
      12,
      'stale',
    ],
    ['a forged version from the future', {}, 99, 'stale'],
    [
      'a click while a panel renders again',
      {
        latestRenders: [
          { id: 11, status: 'done' },
          { id: 12, status: 'submitted' },
        ],
      },
      12,
      'rendering',
    ],
    [
      'a click while a panel has failed',
      {
        latestRenders: [
          { id: 11, status: 'done' },
          { id: 12, status: 'failed' },
        ],
      },
      12,
      'incomplete',
    ],
    ['a click after the set was approved', { approvedVersion: 12, votes: votes(12, 'u2', 'u3') }, 12, 'approved'],
  ])('%s is refused (%s)', (_name, overrides, version, reason) => {
    expect(voteOnPanelSet(setOf(overrides), { userId: 'u1', setVersion: version })).toMatchObject({ kind: 'refused', reason });
  });

  it('the panels message says how far the vote is', () => {
    expect(describePanelSetVote(describePanelSet(setOf({ votes: votes(12, 'u1') })))).toBe('approvals 1 of 2 needed');
    expect(describePanelSetVote(describePanelSet(setOf({ approvedVersion: 12 })))).toBe('approved by the co-writers: final for the page');
    expect(describePanelSetVote(describePanelSet(setOf({ latestRenders: [{ id: 11, status: 'queued' }] })))).toBeNull();
  });
});
