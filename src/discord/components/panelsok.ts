import { approvePanelSet } from '../../services/approve-panels.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { panelsHeading, summarisePanels } from '../../views/panels-message.js';

/** Approve for a page's set of panels, as the button drew it. */
export const panelsok: ComponentHandler<'panelsok'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const voted = await approvePanelSet(context.db, place, { pageId: data.pageId, setVersion: data.setVersion });
    // Only the text changes (every panel is drawn when a vote counts); the worker redraws an approved set.
    const status = summarisePanels(
      Array.from({ length: voted.panelCount }, (_, i) => ({ panelNumber: i + 1, render: { status: 'done' as const } })),
      voted.state,
    );
    return {
      type: 'update',
      body: { content: panelsHeading({ number: voted.pageNumber }, status), ...(voted.decided ? { components: [] } : {}) },
      note: voted.decided
        ? `Your approval decided it: page ${voted.pageNumber}'s panels are approved and final.`
        : `Your approval is counted (${voted.state.tally.approvals} of ${voted.state.tally.required} needed).`,
    };
  },
};
