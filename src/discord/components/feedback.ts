import { castVoteOrPick } from '../../services/cast-vote.js';
import { UserError } from '../../services/user-error.js';
import { givenBack } from '../edit-draft.js';
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
    try {
      const cast = await castVoteOrPick(context.db, place, data, 'revise', text);
      if (cast.kind === 'round') return afterRoundVote(cast.outcome);
      return voteReply(cast.outcome, 'Revise');
    } catch (error) {
      // Refused (the draft was decided while the form was open, say): the feedback comes back to copy.
      if (!(error instanceof UserError)) throw error;
      return givenBack(context.mentions.linkHints(error.message), text, 'your-feedback.txt');
    }
  },
};
