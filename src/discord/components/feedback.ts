import { castVoteOrPick } from '../../services/cast-vote.js';
import { formField, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { FEEDBACK_FIELD } from '../../views/custom-id.js';
import { afterRoundVote } from '../take-round.js';
import { readText } from '../text-input.js';
import { voteReply } from '../vote-reply.js';

export const FEEDBACK_MAX = 1_500;

/** The Revise form submitted: a Revise vote with its feedback (on a round, the round sent back). */
export const feedback: ComponentHandler<'feedback', ComponentInput<'feedback'> & { feedback: string }> = {
  on: 'form',
  parse: (input) => ({
    ...input,
    feedback: readText(formField(input.interaction, FEEDBACK_FIELD), { label: 'Your feedback', max: FEEDBACK_MAX }),
  }),
  async run(context, { data, place, feedback: text }) {
    const cast = await castVoteOrPick(context.db, place, data, 'revise', text);
    if (cast.kind === 'round') return afterRoundVote(cast.outcome);
    return voteReply(cast.outcome, 'Revise');
  },
};
