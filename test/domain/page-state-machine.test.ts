import { describe, expect, it } from 'vitest';
import {
  DRAFT_KINDS,
  PAGE_STATES,
  describePageState,
  isGenerating,
  isReviewing,
  transitionPage,
  type DraftKind,
  type PageEffect,
  type PageEvent,
  type PageState,
} from '../../src/domain/page-state-machine.js';

const events: PageEvent[] = [
  { type: 'input_submitted' },
  ...DRAFT_KINDS.flatMap((kind): PageEvent[] => [
    { type: 'draft_recorded', kind },
    { type: 'draft_approved', kind },
    { type: 'revision_requested', kind, revisionsSoFar: 0, maxRevisions: 5 },
    { type: 'generation_failed', kind },
    { type: 'version_restored', kind },
    { type: 'draft_edited', kind },
    { type: 'take_picked', kind, take: 1 },
    { type: 'take_added', kind },
    { type: 'take_recorded', kind, byHand: false },
  ]),
  { type: 'generation_cancelled' },
  { type: 'retry_requested' },
];

const label = (event: PageEvent) => ('kind' in event ? `${event.type}(${event.kind})` : event.type);

const close = (kind: DraftKind, outcome: 'approved' | 'revision_requested' | 'superseded'): PageEffect => ({
  type: 'close_draft_voting',
  kind,
  outcome,
});
const generate = (kind: DraftKind): PageEffect => ({ type: 'generate_draft', kind });
const post = (kind: DraftKind): PageEffect => ({ type: 'post_draft', kind });
const announceFailure = (kind: DraftKind): PageEffect => ({ type: 'announce_failure', kind });

interface Allowed {
  from: PageState;
  /** The stored stage the row applies to; '*' when the state alone decides. */
  stage: DraftKind | '*';
  event: string;
  to: PageState;
  toStage: DraftKind;
  effects: PageEffect[];
}

/** Every transition the page allows. Any state × stage × event not listed here is refused. */
const ALLOWED: Allowed[] = [
  {
    from: 'awaiting_user_input',
    stage: '*',
    event: 'input_submitted',
    to: 'generating_narration',
    toStage: 'narration',
    effects: [generate('narration')],
  },

  {
    from: 'generating_narration',
    stage: '*',
    event: 'draft_recorded(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [post('narration')],
  },
  {
    from: 'generating_narration',
    stage: '*',
    event: 'generation_failed(narration)',
    to: 'generation_failed',
    toStage: 'narration',
    effects: [announceFailure('narration')],
  },
  {
    from: 'generating_narration',
    stage: '*',
    event: 'generation_cancelled',
    to: 'generation_failed',
    toStage: 'narration',
    effects: [announceFailure('narration')],
  },

  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'draft_approved(narration)',
    to: 'generating_dialogue',
    toStage: 'dialogue',
    effects: [close('narration', 'approved'), generate('dialogue')],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'revision_requested(narration)',
    to: 'generating_narration',
    toStage: 'narration',
    effects: [close('narration', 'revision_requested'), generate('narration')],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'version_restored(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [close('narration', 'superseded'), post('narration')],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'take_picked(narration)',
    to: 'generating_dialogue',
    toStage: 'dialogue',
    effects: [{ type: 'close_draft_voting', kind: 'narration', outcome: 'approved', take: 1 }, generate('dialogue')],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'take_added(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [{ type: 'generate_take', kind: 'narration' }],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'take_recorded(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [{ type: 'post_take', kind: 'narration' }],
  },
  {
    from: 'user_reviewing_narration',
    stage: '*',
    event: 'draft_edited(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [close('narration', 'superseded'), post('narration')],
  },

  {
    from: 'generating_dialogue',
    stage: '*',
    event: 'draft_recorded(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [post('dialogue')],
  },
  {
    from: 'generating_dialogue',
    stage: '*',
    event: 'generation_failed(dialogue)',
    to: 'generation_failed',
    toStage: 'dialogue',
    effects: [announceFailure('dialogue')],
  },
  {
    from: 'generating_dialogue',
    stage: '*',
    event: 'generation_cancelled',
    to: 'generation_failed',
    toStage: 'dialogue',
    effects: [announceFailure('dialogue')],
  },

  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'draft_approved(dialogue)',
    to: 'page_approved',
    toStage: 'dialogue',
    effects: [close('dialogue', 'approved'), { type: 'announce_page_approved' }, { type: 'generate_panels' }],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'revision_requested(dialogue)',
    to: 'generating_dialogue',
    toStage: 'dialogue',
    effects: [close('dialogue', 'revision_requested'), generate('dialogue')],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'version_restored(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [close('dialogue', 'superseded'), post('narration')],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'version_restored(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [close('dialogue', 'superseded'), post('dialogue')],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'take_picked(dialogue)',
    to: 'page_approved',
    toStage: 'dialogue',
    effects: [
      { type: 'close_draft_voting', kind: 'dialogue', outcome: 'approved', take: 1 },
      { type: 'announce_page_approved' },
      { type: 'generate_panels' },
    ],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'take_added(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [{ type: 'generate_take', kind: 'dialogue' }],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'take_recorded(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [{ type: 'post_take', kind: 'dialogue' }],
  },
  {
    from: 'user_reviewing_dialogue',
    stage: '*',
    event: 'draft_edited(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [close('dialogue', 'superseded'), post('dialogue')],
  },

  {
    from: 'page_approved',
    stage: '*',
    event: 'version_restored(narration)',
    to: 'user_reviewing_narration',
    toStage: 'narration',
    effects: [post('narration')],
  },
  {
    from: 'page_approved',
    stage: '*',
    event: 'version_restored(dialogue)',
    to: 'user_reviewing_dialogue',
    toStage: 'dialogue',
    effects: [post('dialogue')],
  },

  {
    from: 'generation_failed',
    stage: 'narration',
    event: 'retry_requested',
    to: 'generating_narration',
    toStage: 'narration',
    effects: [generate('narration')],
  },
  {
    from: 'generation_failed',
    stage: 'dialogue',
    event: 'retry_requested',
    to: 'generating_dialogue',
    toStage: 'dialogue',
    effects: [generate('dialogue')],
  },
];

const allowedFor = (state: PageState, stage: DraftKind, event: PageEvent) =>
  ALLOWED.find((row) => row.from === state && (row.stage === '*' || row.stage === stage) && row.event === label(event));

const cases = PAGE_STATES.flatMap((state) =>
  DRAFT_KINDS.flatMap((stage) => events.map((event) => ({ state, stage, event, label: label(event) }))),
);
const allowedCases = cases.filter(({ state, stage, event }) => allowedFor(state, stage, event));
const refusedCases = cases.filter(({ state, stage, event }) => !allowedFor(state, stage, event));

describe('the page state machine', () => {
  it('walks every state × stage × event, and every row of the table is reachable', () => {
    expect(cases).toHaveLength(PAGE_STATES.length * DRAFT_KINDS.length * events.length);
    for (const row of ALLOWED) expect(allowedCases.some(({ state, label: l }) => state === row.from && l === row.event)).toBe(true);
  });

  it.each(allowedCases)('$state on $stage: $label is allowed', ({ state, stage, event }) => {
    const row = allowedFor(state, stage, event);
    expect(transitionPage({ state, stage }, event)).toEqual({
      ok: true,
      status: { state: row?.to, stage: row?.toStage },
      effects: row?.effects,
    });
  });

  it.each(refusedCases)('$state on $stage: $label is refused with a sentence a co-writer understands', ({ state, stage, event }) => {
    const result = transitionPage({ state, stage }, event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^This page .+\.$/);
    expect(result.reason).not.toMatch(/[a-z]_[a-z]/); // no state or event identifiers leak into the words
    if ('kind' in event) expect(result.reason).toContain(event.kind);
  });
});

describe('refusals say why, in the words of the page', () => {
  it.each([
    [
      'a stale approve on the narration while the dialogue is voted on',
      { state: 'user_reviewing_dialogue', stage: 'dialogue' },
      { type: 'draft_approved', kind: 'narration' },
      'This page is voting on its dialogue draft, so that narration draft can no longer be voted on.',
    ],
    [
      'an approve while the narration is still being written',
      { state: 'generating_narration', stage: 'narration' },
      { type: 'draft_approved', kind: 'narration' },
      'This page is waiting for its narration draft, so there is nothing to approve yet.',
    ],
    [
      'an approve on a dialogue that does not exist yet',
      { state: 'user_reviewing_narration', stage: 'narration' },
      { type: 'draft_approved', kind: 'dialogue' },
      'This page is voting on its narration draft, so there is no dialogue draft to approve yet.',
    ],
    [
      'a revise after the page was approved',
      { state: 'page_approved', stage: 'dialogue' },
      { type: 'revision_requested', kind: 'dialogue', revisionsSoFar: 0, maxRevisions: 5 },
      'This page is already approved, so that dialogue draft can no longer be voted on.',
    ],
    [
      'an approve after the draft failed',
      { state: 'generation_failed', stage: 'narration' },
      { type: 'draft_approved', kind: 'narration' },
      'This page stopped because its narration draft could not be written, so there is no narration draft to approve; a co-writer can press Retry.',
    ],
    [
      'a second input',
      { state: 'user_reviewing_narration', stage: 'narration' },
      { type: 'input_submitted' },
      'This page is voting on its narration draft, so it already has its input.',
    ],
    [
      'a retry while the draft is still being written',
      { state: 'generating_dialogue', stage: 'dialogue' },
      { type: 'retry_requested' },
      'This page is waiting for its dialogue draft, so there is no failed draft to retry.',
    ],
    [
      'restoring a dialogue before the narration is approved',
      { state: 'user_reviewing_narration', stage: 'narration' },
      { type: 'version_restored', kind: 'dialogue' },
      'This page is voting on its narration draft, so a dialogue version cannot be restored until the narration is approved.',
    ],
  ] as const)('%s', (_name, status, event, reason) => {
    expect(transitionPage(status, event)).toEqual({ ok: false, reason });
  });
});

describe('the revision limit', () => {
  it.each(
    DRAFT_KINDS.flatMap((kind) =>
      (
        [
          [0, 5, true],
          [4, 5, true],
          [5, 5, false],
          [6, 5, false],
          [0, 1, true],
          [1, 1, false],
          [0, 0, false],
        ] as const
      ).map(([revisionsSoFar, maxRevisions, allowed]) => ({ kind, revisionsSoFar, maxRevisions, allowed })),
    ),
  )(
    'a $kind revise with $revisionsSoFar of $maxRevisions revisions used: allowed $allowed',
    ({ kind, revisionsSoFar, maxRevisions, allowed }) => {
      const state = kind === 'narration' ? 'user_reviewing_narration' : 'user_reviewing_dialogue';
      const result = transitionPage({ state, stage: kind }, { type: 'revision_requested', kind, revisionsSoFar, maxRevisions });
      expect(result.ok).toBe(allowed);
      if (!result.ok) expect(result.reason).toContain(kind);
    },
  );

  it.each([
    [
      5,
      "This page's narration has already been revised 5 times, the most the story's settings allow. Approve a version, or ask an admin to raise the limit.",
    ],
    [
      1,
      "This page's narration has already been revised once, the most the story's settings allow. Approve a version, or ask an admin to raise the limit.",
    ],
    [0, "The story's settings allow no revisions, so this narration cannot be sent back. Approve it, or ask an admin to allow revisions."],
  ])('a revise past a limit of %i says what to do instead', (maxRevisions, reason) => {
    const result = transitionPage(
      { state: 'user_reviewing_narration', stage: 'narration' },
      { type: 'revision_requested', kind: 'narration', revisionsSoFar: maxRevisions, maxRevisions },
    );
    expect(result).toEqual({ ok: false, reason });
  });

  it('checks the draft is up for a vote before counting revisions', () => {
    const result = transitionPage(
      { state: 'generating_narration', stage: 'narration' },
      { type: 'revision_requested', kind: 'narration', revisionsSoFar: 9, maxRevisions: 5 },
    );
    expect(result).toEqual({ ok: false, reason: 'This page is waiting for its narration draft, so there is nothing to send back yet.' });
  });
});

describe('the page’s stage', () => {
  it('a page whose stored stage disagrees with its state cancels and retries the draft its state names', () => {
    const cancelled = transitionPage({ state: 'generating_narration', stage: 'dialogue' }, { type: 'generation_cancelled' });
    expect(cancelled).toEqual({
      ok: true,
      status: { state: 'generation_failed', stage: 'narration' },
      effects: [announceFailure('narration')],
    });
    if (!cancelled.ok) return;
    expect(transitionPage(cancelled.status, { type: 'retry_requested' })).toEqual({
      ok: true,
      status: { state: 'generating_narration', stage: 'narration' },
      effects: [generate('narration')],
    });
  });

  it('walks a whole page from input to approval with one revision on the way', () => {
    const steps: PageEvent[] = [
      { type: 'input_submitted' },
      { type: 'draft_recorded', kind: 'narration' },
      { type: 'revision_requested', kind: 'narration', revisionsSoFar: 0, maxRevisions: 5 },
      { type: 'generation_failed', kind: 'narration' },
      { type: 'retry_requested' },
      { type: 'draft_recorded', kind: 'narration' },
      { type: 'draft_approved', kind: 'narration' },
      { type: 'draft_recorded', kind: 'dialogue' },
      { type: 'draft_approved', kind: 'dialogue' },
    ];
    let status = { state: 'awaiting_user_input' as PageState, stage: 'narration' as DraftKind };
    const visited: PageState[] = [];
    for (const event of steps) {
      const result = transitionPage(status, event);
      if (!result.ok) throw new Error(result.reason);
      status = result.status;
      visited.push(status.state);
    }
    expect(visited).toEqual([
      'generating_narration',
      'user_reviewing_narration',
      'generating_narration',
      'generation_failed',
      'generating_narration',
      'user_reviewing_narration',
      'generating_dialogue',
      'user_reviewing_dialogue',
      'page_approved',
    ]);
  });
});

describe('state predicates and labels', () => {
  it.each([
    ['awaiting_user_input', false, false, 'Waiting for its input'],
    ['generating_narration', true, false, 'Narration is being written'],
    ['user_reviewing_narration', false, true, 'Waiting for votes on the narration'],
    ['generating_dialogue', true, false, 'Dialogue is being written'],
    ['user_reviewing_dialogue', false, true, 'Waiting for votes on the dialogue'],
    ['page_approved', false, false, 'Approved'],
    ['generation_failed', false, false, 'The narration could not be written; a co-writer can press Retry'],
  ] as const)('%s: generating %s, reviewing %s, labelled "%s"', (state, generating, reviewing, text) => {
    expect(isGenerating(state)).toBe(generating);
    expect(isReviewing(state)).toBe(reviewing);
    expect(describePageState({ state, stage: 'narration' })).toBe(text);
  });

  it('a failed page’s label names the draft a retry writes', () => {
    expect(describePageState({ state: 'generation_failed', stage: 'dialogue' })).toBe(
      'The dialogue could not be written; a co-writer can press Retry',
    );
  });
});
