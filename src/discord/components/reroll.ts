import { renderSettingsOf, rerollPanel } from '../../services/panel-renders.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { ephemeral } from '../reply.js';

/** Reroll: one panel drawn again with a new seed. */
export const reroll: ComponentHandler<'reroll'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const rerolled = await rerollPanel(context.db, place, data.panelId, renderSettingsOf(context.config.render), context.config.prices);
    return ephemeral(`Panel ${rerolled.panelNumber} is being drawn again with a new seed; the earlier render is kept.`);
  },
};
