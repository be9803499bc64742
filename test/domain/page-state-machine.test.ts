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
  ]),
  { type: 'generation_cancelled' },
  { type: 'retry_requested' },
];

type Expected = { state: PageState; stage: DraftKind; effects: PageEffect[] } | 'refused';

/** The whole table: what every event does in every state, with the page on either stage. */
function expected(state: PageState, stage: DraftKind, event: PageEvent): Expected {
  const generating = (k: DraftKind): PageState => (k === 'narration' ? 'generating_narration' : 'generating_dialogue');
  const reviewing = (k: DraftKind): PageState => (k === 'narration' ? 'user_reviewing_narration' : 'user_reviewing_dialogue');
  switch (event.type) {
    case 'input_submitted':
      return state === 'awaiting_user_input'
        ? { state: 'generating_narration', stage: 'narration', effects: [{ type: 'generate_draft', kind: 'narration' }] }
        : 'refused';
    case 'draft_recorded':
      return state === generating(event.kind)
        ? { state: reviewing(event.kind), stage: event.kind, effects: [{ type: 'post_draft', kind: event.kind }] }
        : 'refused';
    case 'draft_approved':
      if (state !== reviewing(event.kind)) return 'refused';
      return event.kind === 'narration'
        ? {
            state: 'generating_dialogue',
            stage: 'dialogue',
            effects: [
              { type: 'close_draft_voting', kind: 'narration', outcome: 'approved' },
              { type: 'generate_draft', kind: 'dialogue' },
            ],
          }
        : {
            state: 'page_approved',
            stage: 'dialogue',
            effects: [{ type: 'close_draft_voting', kind: 'dialogue', outcome: 'approved' }, { type: 'announce_page_approved' }, { type: 'generate_panels' }],
          };
    case 'revision_requested':
      return state === reviewing(event.kind)
        ? {
            state: generating(event.kind),
            stage: event.kind,
            effects: [
              { type: 'close_draft_voting', kind: event.kind, outcome: 'revision_requested' },
              { type: 'generate_draft', kind: event.kind },
            ],
          }
        : 'refused';
    case 'generation_failed':
      return state === generating(event.kind)
        ? { state: 'generation_failed', stage: event.kind, effects: [{ type: 'announce_failure', kind: event.kind }] }
        : 'refused';
    case 'generation_cancelled':
      return isGenerating(state) ? { state: 'generation_failed', stage, effects: [{ type: 'announce_failure', kind: stage }] } : 'refused';
    case 'retry_requested':
      return state === 'generation_failed' ? { state: generating(stage), stage, effects: [{ type: 'generate_draft', kind: stage }] } : 'refused';
    case 'version_restored':
      if (isReviewing(state)) {
        return {
          state: reviewing(event.kind),
          stage: event.kind,
          effects: [
            { type: 'close_draft_voting', kind: stage, outcome: 'superseded' },
            { type: 'post_draft', kind: event.kind },
          ],
        };
      }
      return state === 'page_approved' ? { state: reviewing(event.kind), stage: event.kind, effects: [{ type: 'post_draft', kind: event.kind }] } : 'refused';
  }
}

const describeEvent = (event: PageEvent) => ('kind' in event ? `${event.type}(${event.kind})` : event.type);
const cases = PAGE_STATES.flatMap((state) => DRAFT_KINDS.flatMap((stage) => events.map((event) => ({ state, stage, event, label: describeEvent(event) }))));

describe('the page state machine', () => {
  it('covers every state × stage × event', () => {
    expect(cases).toHaveLength(PAGE_STATES.length * DRAFT_KINDS.length * events.length);
  });

  it.each(cases)('$state on $stage, $label', ({ state, stage, event }) => {
    const result = transitionPage({ state, stage }, event);
    const want = expected(state, stage, event);
    if (want === 'refused') {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason.length).toBeGreaterThan(20);
        expect(result.reason).toMatch(/\.$/);
      }
    } else {
      expect(result).toEqual({ ok: true, status: { state: want.state, stage: want.stage }, effects: want.effects });
    }
  });

  it.each([
    [0, 5, true],
    [4, 5, true],
    [5, 5, false],
    [0, 0, false],
  ])('a revise with %i of %i revisions used is %s', (revisionsSoFar, maxRevisions, allowed) => {
    const result = transitionPage(
      { state: 'user_reviewing_narration', stage: 'narration' },
      { type: 'revision_requested', kind: 'narration', revisionsSoFar, maxRevisions },
    );
    expect(result.ok).toBe(allowed);
    if (!result.ok) expect(result.reason).toContain(`all ${maxRevisions} revisions`);
  });

  it('tells a stale approve on the narration apart while the dialogue is reviewed', () => {
    const result = transitionPage({ state: 'user_reviewing_dialogue', stage: 'dialogue' }, { type: 'draft_approved', kind: 'narration' });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('no narration draft up for a vote') });
  });

  it('labels every state for people, naming what a failed page retries', () => {
    for (const state of PAGE_STATES) expect(describePageState({ state, stage: 'narration' }).length).toBeGreaterThan(3);
    expect(describePageState({ state: 'generation_failed', stage: 'dialogue' })).toContain('dialogue');
  });
});
