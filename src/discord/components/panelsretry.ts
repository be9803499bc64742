import { renderSettingsOf } from '../../services/panel-renders.js';
import { retryFailedPanels } from '../../services/retry-panels.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { ephemeral } from '../reply.js';

/** Retry for the set's failed panels: drawn again with the same prompt and seed. */
export const panelsretry: ComponentHandler<'panelsretry'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const retried = await retryFailedPanels(context.db, place, data, renderSettingsOf(context.config.render), context.config.prices);
    const which =
      retried.panelNumbers.length === 1 ? `Panel ${retried.panelNumbers[0]} is` : `Panels ${retried.panelNumbers.join(', ')} are`;
    return ephemeral(`${which} being drawn again with the same prompt and seed.`);
  },
};
