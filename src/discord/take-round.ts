import type { PageRevision, StoryPage } from '../db/database.js';
import { takeLetter, MAX_TAKES_PER_ROUND } from '../domain/takes.js';
import type { InteractionPlace } from '../services/co-writers.js';
import type { RoundVoteOutcome } from '../services/take-round.js';
import { castRoundVote, requestAnotherTake } from '../services/take-round.js';
import type { HandlerContext } from './context.js';
import { draftViewOf, renderDraftMessage, type DraftPhase } from '../views/page-messages.js';
import { ephemeral, type Reply } from './reply.js';

// Pick and Another take on a round of takes. The clicked take's message is redrawn in the reply; the
// round's other messages are redrawn by a coalesced job, so a burst of picks is one edit per take.

type Target = { pageId: number; revisionId: number };

export async function pickTake(context: HandlerContext, place: InteractionPlace, target: Target): Promise<Reply> {
  const outcome = await castRoundVote(context.db, place, target, { pick: 'take' });
  return afterRoundVote(outcome, target.revisionId);
}

/** The reply to a pick or a Revise in a round: the clicked take redrawn, and a word to the clicker when their vote changed. */
export function afterRoundVote(outcome: RoundVoteOutcome, clickedRevisionId: number): Reply {
  const lead = outcome.takes[0];
  const clicked = outcome.takes.find((take) => take.id === clickedRevisionId) ?? lead;
  if (!clicked) return ephemeral('Your vote was counted.');
  const body = renderTake(outcome.page, clicked, roundPhase(outcome));
  const mine = outcome.decision.kind === 'revision_requested' ? 'Revise' : `take ${takeLetter(clicked.take)}`;
  return {
    type: 'update',
    body: { embeds: body.embeds, components: body.components },
    ...(outcome.changed ? { note: `You changed your vote to ${mine}.` } : {}),
  };
}

export async function anotherTake(context: HandlerContext, place: InteractionPlace, target: Target): Promise<Reply> {
  await requestAnotherTake(context.db, place, target, context.config.limits);
  return ephemeral('Another take is being written; it joins the round below when it is done. Picks so far stand.');
}

function roundPhase(outcome: Pick<RoundVoteOutcome, 'decision' | 'tally' | 'takes' | 'page'>): DraftPhase {
  switch (outcome.decision.kind) {
    case 'open':
      return { phase: 'takes_open', round: outcome.tally, full: outcome.takes.length + outcome.page.takes_pending >= MAX_TAKES_PER_ROUND };
    case 'picked':
      return { phase: 'take_picked', round: outcome.tally, picked: outcome.decision.take };
    case 'revision_requested':
      return { phase: 'takes_sent_back', round: outcome.tally };
  }
}

function renderTake(page: Pick<StoryPage, 'number'>, take: PageRevision, phase: DraftPhase) {
  return renderDraftMessage({ ...draftViewOf(page.number, take), take: take.take }, phase);
}
