import { takeLetter, type RoundVote } from '../domain/takes.js';
import type { InteractionPlace } from '../services/co-writers.js';
import type { RoundVoteOutcome } from '../services/take-round.js';
import { castRoundVote, requestAnotherTake } from '../services/take-round.js';
import type { HandlerContext } from './context.js';
import { ephemeral, type Reply } from './reply.js';

// Pick and Another take on a round of takes. The round's messages have one writer: the worker, which
// redraws every take from Postgres after each pick (a coalesced job). The clicker is answered
// privately, so no reply ever edits a take's message with a view that may already be old.

type Target = { pageId: number; revisionId: number };

export async function pickTake(context: HandlerContext, place: InteractionPlace, target: Target): Promise<Reply> {
  const outcome = await castRoundVote(context.db, place, target, { pick: 'take' });
  return afterRoundVote(outcome);
}

const named = (pick: RoundVote['pick']) => (pick === 'revise' ? 'Revise (the whole round)' : `take ${takeLetter(pick)}`);

/** The private answer to a pick or a Revise in a round: what you picked, and what the round came to. */
export function afterRoundVote(outcome: RoundVoteOutcome): Reply {
  const { mine, previous, decision, tally } = outcome;
  const yours =
    outcome.changed && previous !== null
      ? `You changed your vote from ${named(previous)} to ${named(mine)}.`
      : mine === 'revise'
        ? 'You voted to send the round back (Revise).'
        : `You picked ${named(mine)}.`;
  const picks = tally.picks.map((n, take) => `${takeLetter(take)} ${n}`).join(' · ');
  switch (decision.kind) {
    case 'open':
      return ephemeral(`${yours} Picks so far: ${picks} · ✏️ ${tally.revisions} revise; ${tally.required} decide the round.`);
    case 'picked':
      return ephemeral(`${yours} Take ${takeLetter(decision.take)} is picked (${picks}): the round is decided.`);
    case 'revision_requested':
      return ephemeral(`${yours} The round is sent back: new takes are being written from the feedback.`);
  }
}

export async function anotherTake(context: HandlerContext, place: InteractionPlace, target: Target): Promise<Reply> {
  await requestAnotherTake(context.db, place, target, context.config.limits);
  return ephemeral('Another take is being written; it joins the round below when it is done. Picks so far stand.');
}
