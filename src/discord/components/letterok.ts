import { approveLetteredPage } from '../../services/lettered-page-votes.js';
import { letteredComponents, letteredViewOf } from '../../views/lettered-message.js';
import { asIs, type ComponentHandler } from '../component-handler.js';

/** Approve on a "Page N · Lettered" message: one co-writer's approval of that version. */
export const letterok: ComponentHandler<'letterok'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const voted = await approveLetteredPage(context.db, place, { letteredId: data.letteredId });
    const { lettered } = voted;
    const view = letteredViewOf(lettered, voted.tally, voted.approvedBy);
    // Only the text and the buttons change: the image stays as posted (the gallery names the kept attachment).
    // content '' and no embeds: a message posted before Components V2 becomes one (discord.js sends null as '').
    const { flags, components } = letteredComponents({ number: voted.pageNumber }, view);
    return {
      type: 'update',
      body: { flags, content: '', embeds: [], components },
      note: voted.decided
        ? `Your approval decided it: page ${voted.pageNumber}'s lettering is approved and final.`
        : `Your approval is counted (${voted.tally.approvals} of ${voted.tally.required} needed).`,
    };
  },
};
