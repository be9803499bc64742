// The page state machine: pure, no I/O. Every user action and agent result goes through transitionPage.
//
// Effects, by event:
//   input_submitted            → generate_draft(narration)
//   draft_recorded(kind)       → post_draft(kind)
//   draft_approved(narration)  → close_draft_voting(narration, approved), generate_draft(dialogue)
//   draft_approved(dialogue)   → close_draft_voting(dialogue, approved), announce_page_approved, generate_panels
//   revision_requested(kind)   → close_draft_voting(kind, revision_requested), generate_draft(kind)
//   generation_failed(kind)    → announce_failure(kind)
//   generation_cancelled       → announce_failure(kind being written)
//   retry_requested            → generate_draft(stage)
//   version_restored(kind)     → close_draft_voting(kind under review, superseded) when a draft was open, post_draft(kind)
//   draft_edited(kind)         → close_draft_voting(kind, superseded), post_draft(kind): a co-writer's own text replaces the open draft
//   take_picked(kind, take)    → as draft_approved, the round closed with that take approved and the others not chosen
//   take_added(kind)           → generate_take(kind): Another take for the open round, which stays open
//   take_recorded(kind)        → post_take(kind): a take (the model's, or a co-writer's edit) joins the open round
//
// The draft kind of a generating or reviewing page is read from its state, not from `stage`, so a row
// whose stage disagrees with its state cannot make a retry regenerate the wrong draft. `stage` decides
// only in generation_failed. A restore may go back to an earlier stage (restoring a narration while
// the dialogue is voted on) but never ahead of the page: a dialogue cannot return before its narration
// is approved. Every refusal reason is a sentence for the co-writer who clicked.

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
  | { type: 'version_restored'; kind: DraftKind }
  | { type: 'draft_edited'; kind: DraftKind }
  | { type: 'take_picked'; kind: DraftKind; take: number }
  | { type: 'take_added'; kind: DraftKind }
  | { type: 'take_recorded'; kind: DraftKind; byHand: boolean };

export type PageEffect =
  | { type: 'generate_draft'; kind: DraftKind }
  | { type: 'post_draft'; kind: DraftKind }
  /** `take`: the round's take that was picked; every other take of the round closes unchosen. */
  | { type: 'close_draft_voting'; kind: DraftKind; outcome: 'approved' | 'revision_requested' | 'superseded'; take?: number }
  | { type: 'generate_take'; kind: DraftKind }
  | { type: 'post_take'; kind: DraftKind }
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

/** The draft kind a page is on: fixed by the state except after a failure, where the stored stage says. */
export function draftKindOf(status: PageStatus): DraftKind {
  switch (status.state) {
    case 'awaiting_user_input':
    case 'generating_narration':
    case 'user_reviewing_narration':
      return 'narration';
    case 'generating_dialogue':
    case 'user_reviewing_dialogue':
    case 'page_approved':
      return 'dialogue';
    case 'generation_failed':
      return status.stage;
  }
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

/** Where the page is, as the first half of a refusal: "This page is …". */
function situation(status: PageStatus): string {
  switch (status.state) {
    case 'awaiting_user_input':
      return 'This page is waiting for its input';
    case 'generating_narration':
      return 'This page is waiting for its narration draft';
    case 'user_reviewing_narration':
      return 'This page is voting on its narration draft';
    case 'generating_dialogue':
      return 'This page is waiting for its dialogue draft';
    case 'user_reviewing_dialogue':
      return 'This page is voting on its dialogue draft';
    case 'page_approved':
      return 'This page is already approved';
    case 'generation_failed':
      return `This page stopped because its ${status.stage} draft could not be written`;
  }
}

/** Why a vote on a `kind` draft does not apply now: not drafted yet, or a stale click on an older draft. */
function noDraftToVoteOn(current: PageStatus, kind: DraftKind, verb: 'approve' | 'send back' | 'edit' | 'pick' | 'add a take to'): string {
  const pageKind = draftKindOf(current);
  if (current.state === 'page_approved' || DRAFT_KINDS.indexOf(kind) < DRAFT_KINDS.indexOf(pageKind))
    return `that ${kind} draft can no longer be voted on`;
  if (kind !== pageKind || current.state === 'awaiting_user_input') return `there is no ${kind} draft to ${verb} yet`;
  if (current.state === 'generation_failed') return `there is no ${kind} draft to ${verb}; a co-writer can press Retry`;
  return `there is nothing to ${verb} yet`;
}

function revisionLimitReason(kind: DraftKind, maxRevisions: number): string {
  if (maxRevisions <= 0) {
    return `The story's settings allow no revisions, so this ${kind} cannot be sent back. Approve it, or ask an admin to allow revisions.`;
  }
  const times = maxRevisions === 1 ? 'once' : `${maxRevisions} times`;
  return `This page's ${kind} has already been revised ${times}, the most the story's settings allow. Approve a version, or ask an admin to raise the limit.`;
}

const ok = (state: PageState, stage: DraftKind, effects: PageEffect[]): TransitionResult => ({
  ok: true,
  status: { state, stage },
  effects,
});
const refuse = (current: PageStatus, consequence: string): TransitionResult => ({
  ok: false,
  reason: `${situation(current)}, so ${consequence}.`,
});

export function transitionPage(current: PageStatus, event: PageEvent): TransitionResult {
  const { state } = current;
  const kind = draftKindOf(current);
  switch (event.type) {
    case 'input_submitted':
      if (state !== 'awaiting_user_input') return refuse(current, 'it already has its input');
      return ok('generating_narration', 'narration', [{ type: 'generate_draft', kind: 'narration' }]);

    case 'draft_recorded':
      if (state !== generatingState(event.kind)) return refuse(current, `a ${event.kind} draft cannot be added now`);
      return ok(reviewingState(event.kind), event.kind, [{ type: 'post_draft', kind: event.kind }]);

    case 'draft_approved':
    case 'take_picked': {
      if (state !== reviewingState(event.kind))
        return refuse(current, noDraftToVoteOn(current, event.kind, event.type === 'take_picked' ? 'pick' : 'approve'));
      const close: PageEffect = {
        type: 'close_draft_voting',
        kind: event.kind,
        outcome: 'approved',
        ...(event.type === 'take_picked' ? { take: event.take } : {}),
      };
      if (event.kind === 'narration') return ok('generating_dialogue', 'dialogue', [close, { type: 'generate_draft', kind: 'dialogue' }]);
      return ok('page_approved', 'dialogue', [close, { type: 'announce_page_approved' }, { type: 'generate_panels' }]);
    }

    case 'take_added':
      if (state !== reviewingState(event.kind)) return refuse(current, noDraftToVoteOn(current, event.kind, 'add a take to'));
      return ok(state, event.kind, [{ type: 'generate_take', kind: event.kind }]);

    case 'take_recorded':
      if (state !== reviewingState(event.kind)) return refuse(current, `a ${event.kind} take cannot be added now`);
      return ok(state, event.kind, [{ type: 'post_take', kind: event.kind }]);

    case 'revision_requested':
      if (state !== reviewingState(event.kind)) return refuse(current, noDraftToVoteOn(current, event.kind, 'send back'));
      if (event.revisionsSoFar >= event.maxRevisions) return { ok: false, reason: revisionLimitReason(event.kind, event.maxRevisions) };
      return ok(generatingState(event.kind), event.kind, [
        { type: 'close_draft_voting', kind: event.kind, outcome: 'revision_requested' },
        { type: 'generate_draft', kind: event.kind },
      ]);

    case 'generation_failed':
      if (state !== generatingState(event.kind)) return refuse(current, `no ${event.kind} is being written that could fail`);
      return ok('generation_failed', event.kind, [{ type: 'announce_failure', kind: event.kind }]);

    case 'generation_cancelled':
      if (!isGenerating(state)) return refuse(current, 'nothing is being written that could be cancelled');
      return ok('generation_failed', kind, [{ type: 'announce_failure', kind }]);

    case 'retry_requested':
      if (state !== 'generation_failed') return refuse(current, 'there is no failed draft to retry');
      return ok(generatingState(kind), kind, [{ type: 'generate_draft', kind }]);

    case 'draft_edited':
      if (state !== reviewingState(event.kind)) return refuse(current, noDraftToVoteOn(current, event.kind, 'edit'));
      return ok(reviewingState(event.kind), event.kind, [
        { type: 'close_draft_voting', kind: event.kind, outcome: 'superseded' },
        { type: 'post_draft', kind: event.kind },
      ]);

    case 'version_restored': {
      if (!isReviewing(state) && state !== 'page_approved') {
        return refuse(current, `a ${event.kind} version can be restored only while a draft is up for a vote or once the page is approved`);
      }
      if (event.kind === 'dialogue' && kind === 'narration')
        return refuse(current, 'a dialogue version cannot be restored until the narration is approved');
      const effects: PageEffect[] = [];
      if (isReviewing(state)) effects.push({ type: 'close_draft_voting', kind, outcome: 'superseded' });
      effects.push({ type: 'post_draft', kind: event.kind });
      return ok(reviewingState(event.kind), event.kind, effects);
    }
  }
}
