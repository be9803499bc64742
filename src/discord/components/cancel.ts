import { cancelGeneration } from '../../services/retry-generation.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { renderFailureMessage } from '../../views/page-messages.js';

/** Cancel a draft being written: the page waits with a Retry button. */
export const cancel: ComponentHandler<'cancel'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const applied = await cancelGeneration(context.db, place, data);
    const body = renderFailureMessage(applied.page, applied.page.stage, `Cancelled by <@${place.userId}>.`);
    return { type: 'update', body: { embeds: body.embeds, components: body.components } };
  },
};
