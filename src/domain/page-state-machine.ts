// The page state machine: pure, no I/O. Every user action and agent result goes through transitionPage.
//
// Effects, by event:
//   input_submitted            → generate_draft(narration)
//   draft_recorded(kind)       → post_draft(kind)
//   draft_approved(narration)  → close_draft_voting(narration, approved), generate_draft(dialogue)
//   draft_approved(dialogue)   → close_draft_voting(dialogue, approved), announce_page_approved, generate_panels
//   revision_requested(kind)   → close_draft_voting(kind, revision_requested), generate_draft(kind)
//   generation_failed(kind)    → announce_failure(kind)
//   generation_cancelled       → announce_failure(stage)
//   retry_requested            → generate_draft(stage)
//   version_restored(kind)     → close_draft_voting(stage, superseded) when a draft was open, post_draft(kind)

export const PAGE_STATES = [
  'awaiting_user_input',
  'generating_narration',
  'user_reviewing_narration',
  'generating_dialogue',
  'user_reviewing_dialogue',
  'page_approved',
  'generation_failed',
] as const;
export type PageState = (typeof PAGE_STATES)[number];

export const DRAFT_KINDS = ['narration', 'dialogue'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

/** `stage` is the draft kind the page is on; in generation_failed it says what a retry regenerates. */
export interface PageStatus {
  state: PageState;
  stage: DraftKind;
}

export type PageEvent =
  | { type: 'input_submitted' }
  | { type: 'draft_recorded'; kind: DraftKind }
  | { type: 'draft_approved'; kind: DraftKind }
  | { type: 'revision_requested'; kind: DraftKind; revisionsSoFar: number; maxRevisions: number }
  | { type: 'generation_failed'; kind: DraftKind }
  | { type: 'generation_cancelled' }
  | { type: 'retry_requested' }
  | { type: 'version_restored'; kind: DraftKind };

export type PageEventType = PageEvent['type'];

export type PageEffect =
  | { type: 'generate_draft'; kind: DraftKind }
  | { type: 'post_draft'; kind: DraftKind }
  | { type: 'close_draft_voting'; kind: DraftKind; outcome: 'approved' | 'revision_requested' | 'superseded' }
  | { type: 'announce_failure'; kind: DraftKind }
  | { type: 'announce_page_approved' }
  | { type: 'generate_panels' };

export type TransitionResult = { ok: true; status: PageStatus; effects: PageEffect[] } | { ok: false; reason: string };

const generatingState = (kind: DraftKind): PageState => (kind === 'narration' ? 'generating_narration' : 'generating_dialogue');
const reviewingState = (kind: DraftKind): PageState => (kind === 'narration' ? 'user_reviewing_narration' : 'user_reviewing_dialogue');

export function isGenerating(state: PageState): boolean {
  return state === 'generating_narration' || state === 'generating_dialogue';
}

export function isReviewing(state: PageState): boolean {
  return state === 'user_reviewing_narration' || state === 'user_reviewing_dialogue';
}

/** Short label a co-writer understands. */
export function describePageState(status: PageStatus): string {
  switch (status.state) {
    case 'awaiting_user_input':
      return 'Waiting for its input';
    case 'generating_narration':
      return 'Narration is being written';
    case 'user_reviewing_narration':
      return 'Waiting for votes on the narration';
    case 'generating_dialogue':
      return 'Dialogue is being written';
    case 'user_reviewing_dialogue':
      return 'Waiting for votes on the dialogue';
    case 'page_approved':
      return 'Approved';
    case 'generation_failed':
      return `The ${status.stage} could not be written; a co-writer can press Retry`;
  }
}

const ok = (state: PageState, stage: DraftKind, effects: PageEffect[]): TransitionResult => ({ ok: true, status: { state, stage }, effects });
const refuse = (reason: string): TransitionResult => ({ ok: false, reason });

/** Why an event does not apply to the page as it is now, in words for the person who caused it. */
function notNow(current: PageStatus, what: string): TransitionResult {
  return refuse(`This page is not ready for that: ${what} (${describePageState(current).toLowerCase()}).`);
}

export function transitionPage(current: PageStatus, event: PageEvent): TransitionResult {
  const { state, stage } = current;
  switch (event.type) {
    case 'input_submitted':
      if (state !== 'awaiting_user_input') return notNow(current, 'its input was already given');
      return ok('generating_narration', 'narration', [{ type: 'generate_draft', kind: 'narration' }]);

    case 'draft_recorded':
      if (state !== generatingState(event.kind)) return notNow(current, `no ${event.kind} is being written`);
      return ok(reviewingState(event.kind), event.kind, [{ type: 'post_draft', kind: event.kind }]);

    case 'draft_approved':
      if (state !== reviewingState(event.kind)) return notNow(current, `there is no ${event.kind} draft up for a vote`);
      if (event.kind === 'narration') {
        return ok('generating_dialogue', 'dialogue', [
          { type: 'close_draft_voting', kind: 'narration', outcome: 'approved' },
          { type: 'generate_draft', kind: 'dialogue' },
        ]);
      }
      return ok('page_approved', 'dialogue', [
        { type: 'close_draft_voting', kind: 'dialogue', outcome: 'approved' },
        { type: 'announce_page_approved' },
        { type: 'generate_panels' },
      ]);

    case 'revision_requested':
      if (state !== reviewingState(event.kind)) return notNow(current, `there is no ${event.kind} draft up for a vote`);
      if (event.revisionsSoFar >= event.maxRevisions) {
        return refuse(
          `This page has used all ${event.maxRevisions} revisions of its ${event.kind} allowed by the story's settings. ` +
            'Approve a version, or ask an admin to raise the limit.',
        );
      }
      return ok(generatingState(event.kind), event.kind, [
        { type: 'close_draft_voting', kind: event.kind, outcome: 'revision_requested' },
        { type: 'generate_draft', kind: event.kind },
      ]);

    case 'generation_failed':
      if (state !== generatingState(event.kind)) return notNow(current, `no ${event.kind} is being written`);
      return ok('generation_failed', event.kind, [{ type: 'announce_failure', kind: event.kind }]);

    case 'generation_cancelled':
      if (!isGenerating(state)) return notNow(current, 'nothing is being written');
      return ok('generation_failed', stage, [{ type: 'announce_failure', kind: stage }]);

    case 'retry_requested':
      if (state !== 'generation_failed') return notNow(current, 'there is no failed draft to retry');
      return ok(generatingState(stage), stage, [{ type: 'generate_draft', kind: stage }]);

    case 'version_restored': {
      if (!isReviewing(state) && state !== 'page_approved') return notNow(current, 'a version can be restored only while drafts are reviewed or after approval');
      const effects: PageEffect[] = [];
      if (isReviewing(state)) effects.push({ type: 'close_draft_voting', kind: stage, outcome: 'superseded' });
      effects.push({ type: 'post_draft', kind: event.kind });
      return ok(reviewingState(event.kind), event.kind, effects);
    }
  }
}
