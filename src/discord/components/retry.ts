import { retryGeneration } from '../../services/retry-generation.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { renderFailureMessage } from '../../views/page-messages.js';

/** Retry on a failed (or slow) draft: a fresh one is written. */
export const retry: ComponentHandler<'retry'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const applied = await retryGeneration(context.db, place, data, context.config.limits);
    const body = renderFailureMessage(applied.page, applied.page.stage, 'Retry requested: a fresh draft is being written below.');
    return { type: 'update', body: { embeds: body.embeds, components: [] } };
  },
};
