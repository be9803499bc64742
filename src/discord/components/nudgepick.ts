import { letteredLayoutToNudge } from '../../services/nudge-lettered-page.js';
import { UserError } from '../../services/user-error.js';
import { balloonSummaries, nudgeSelect } from '../../views/nudge-selects.js';
import { selectedValue, type ComponentHandler, type ComponentInput } from '../component-handler.js';

/**
 * "Nudge a balloon…" on a page with more balloons than selects fit: answers, privately, with the chosen
 * balloon's nudge select (the same select a page of few balloons shows on the message).
 */
export const nudgepick: ComponentHandler<'nudgepick', ComponentInput<'nudgepick'> & { balloon: number }> = {
  on: 'select',
  parse(input) {
    const balloon = Number(selectedValue(input.interaction));
    if (!Number.isSafeInteger(balloon) || balloon < 0) throw new UserError('That balloon is not on this page. Nothing was changed.');
    return { ...input, balloon };
  },
  async run(context, { data, place, balloon }) {
    const lettered = await letteredLayoutToNudge(context.db, place, data.letteredId);
    const summary = balloonSummaries(lettered.layout)[balloon];
    if (!summary) throw new UserError('That balloon is not on this page. Nothing was changed.');
    return {
      type: 'message',
      ephemeral: true,
      body: { content: `How should balloon ${balloon + 1} change?`, components: [nudgeSelect(lettered.id, summary, balloon)] },
    };
  },
};
