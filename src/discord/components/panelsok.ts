import { approvePanelSet } from '../../services/approve-panels.js';
import { ephemeral } from '../reply.js';
import { asIs, type ComponentHandler } from '../component-handler.js';

/**
 * Approve for a page's set of panels, as the button drew it. The clicker is answered privately; the
 * panels message is redrawn by the worker alone (a refresh, or the approval's announcement), so a
 * late click's edit can never put an older tally over a newer one.
 */
export const panelsok: ComponentHandler<'panelsok'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const voted = await approvePanelSet(context.db, place, { pageId: data.pageId, setVersion: data.setVersion });
    return ephemeral(
      voted.decided
        ? `Your approval decided it: page ${voted.pageNumber}'s panels are approved and final.`
        : `Your approval is counted (${voted.state.tally.approvals} of ${voted.state.tally.required} needed).`,
    );
  },
};
