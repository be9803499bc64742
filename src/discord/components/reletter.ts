import { reletterPage } from '../../services/lettered-page-votes.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { ephemeral } from '../reply.js';

/** Re-letter on a "Page N · Lettered" message: the next version is composed and posted below. */
export const reletter: ComponentHandler<'reletter'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const asked = await reletterPage(context.db, place, { letteredId: data.letteredId });
    return ephemeral(
      `Page ${asked.pageNumber} is being lettered again (version ${asked.version}, balloons placed another way); it is posted below when ready.`,
    );
  },
};
