// A page's panels are approved as a set, by the story's quorum, like a draft; pure.
//
// The set has a version: the highest render id among the page's renders. Any new render (a reroll, a
// changed prompt, a retry) makes a new version, and approvals count only for the version they were
// cast on: a co-writer approved the pictures they saw, not the ones drawn after their click. So a
// change after votes resets the tally. Only a complete set can be approved (every panel drawn, none
// rendering or failed); once approved the set is final for the page.

import { tallyCounts, type QuorumRule, type Tally } from './voting.js';

export type PanelRenderStatus = 'queued' | 'submitted' | 'done' | 'failed';

export interface PanelSetInput {
  /** How many panels the page has (its panel prompts). */
  panelCount: number;
  /** The newest render of each panel that has one. */
  latestRenders: readonly { id: number; status: PanelRenderStatus }[];
  /** Every approval cast on the page's panels, of any version. */
  votes: readonly { userId: string; setVersion: number }[];
  rule: QuorumRule;
  coWriters: number;
  /** The version of the page's latest approved set; null before any. It holds only while the set is that version. */
  approvedVersion: number | null;
}

/** rendering: a render waits or runs; incomplete: a panel failed or was never drawn; open: up for approval. */
export type PanelSetPhase = 'rendering' | 'incomplete' | 'open' | 'approved';

export interface PanelSetState {
  phase: PanelSetPhase;
  version: number;
  tally: Tally;
}

export type PanelSetRefusal = 'stale' | 'rendering' | 'incomplete' | 'approved' | 'already_approved_by_you';

export type PanelSetVote =
  { kind: 'refused'; reason: PanelSetRefusal; state: PanelSetState } | { kind: 'counted'; state: PanelSetState; decided: boolean };

export function panelSetVersion(renderIds: readonly number[]): number {
  return renderIds.reduce((max, id) => Math.max(max, id), 0);
}

export function describePanelSet(input: PanelSetInput): PanelSetState {
  const version = panelSetVersion(input.latestRenders.map((render) => render.id));
  const approvals = new Set(input.votes.filter((vote) => vote.setVersion === version).map((vote) => vote.userId)).size;
  const tally: Tally = tallyCounts({ approvals, revisions: 0 }, input.rule, input.coWriters);
  const statuses = input.latestRenders.map((render) => render.status);
  const phase: PanelSetPhase =
    input.approvedVersion !== null && input.approvedVersion === version
      ? 'approved'
      : statuses.some((status) => status === 'queued' || status === 'submitted')
        ? 'rendering'
        : input.panelCount === 0 || input.latestRenders.length < input.panelCount || statuses.some((status) => status === 'failed')
          ? 'incomplete'
          : 'open';
  return { phase, version, tally };
}

/**
 * A co-writer's Approve on the version their button showed. Counted only on the current version of an
 * open set; the vote that reaches the quorum decides it.
 */
export function voteOnPanelSet(input: PanelSetInput, vote: { userId: string; setVersion: number }): PanelSetVote {
  const state = describePanelSet(input);
  if (state.phase === 'approved') return { kind: 'refused', reason: 'approved', state };
  if (vote.setVersion !== state.version) return { kind: 'refused', reason: 'stale', state };
  if (state.phase !== 'open') return { kind: 'refused', reason: state.phase, state };
  if (input.votes.some((v) => v.userId === vote.userId && v.setVersion === state.version))
    return { kind: 'refused', reason: 'already_approved_by_you', state };
  const after = describePanelSet({ ...input, votes: [...input.votes, vote] });
  const decided = after.tally.approvals >= after.tally.required;
  return { kind: 'counted', state: decided ? { ...after, phase: 'approved' } : after, decided };
}

/** The line under the panels message's title about the vote, when there is one to show. */
export function describePanelSetVote(state: PanelSetState): string | null {
  if (state.phase === 'approved') return 'approved by the co-writers: final for the page';
  if (state.phase !== 'open') return null;
  return `approvals ${state.tally.approvals} of ${state.tally.required} needed`;
}

/**
 * Whether trying a failed render again can help: not when ComfyUI refused the workflow (the operator
 * must fix the workflow or install the checkpoint) or rendering is off.
 */
export function canRetryRender(failureKind: string | null): boolean {
  return failureKind !== null && failureKind !== 'refused' && failureKind !== 'off';
}
