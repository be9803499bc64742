import { castVoteOrPick } from '../../services/cast-vote.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { afterRoundVote } from '../take-round.js';
import { voteReply } from '../vote-reply.js';

/** Approve on a draft; on a take of a round, a pick of that take. */
export const approve: ComponentHandler<'approve'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const cast = await castVoteOrPick(context.db, place, data, 'approve', null);
    if (cast.kind === 'round') return afterRoundVote(cast.outcome);
    return voteReply(cast.outcome, 'Approve');
  },
};
