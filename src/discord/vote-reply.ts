import type { VoteOutcome } from '../services/cast-vote.js';
import { draftViewOf, renderDraftMessage } from '../views/page-messages.js';
import type { Reply } from './reply.js';

/** The reply to Approve or Revise on a draft: its message redrawn with the tally, and a word when the clicker changed their vote. */
export function voteReply(outcome: VoteOutcome, label: 'Approve' | 'Revise'): Reply {
  const view = draftViewOf(outcome.page.number, outcome.revision);
  const phase =
    outcome.decision === 'open' ? { phase: 'open' as const, tally: outcome.tally } : { phase: outcome.decision, tally: outcome.tally };
  const body = renderDraftMessage(view, phase);
  const note = outcome.changed ? `You changed your vote to ${label}.` : undefined;
  return { type: 'update', body: { embeds: body.embeds, components: body.components }, ...(note ? { note } : {}) };
}
