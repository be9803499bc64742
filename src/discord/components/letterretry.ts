import { retryLettering } from '../../services/retry-lettering.js';
import { LETTERING_FAILURES, renderLetteringFailed } from '../../views/lettering-failed.js';
import { asIs, type ComponentHandler } from '../component-handler.js';

/** Retry on "Page N · Lettering failed": the version is composed again; the notice says who asked and loses its button. */
export const letterretry: ComponentHandler<'letterretry'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const asked = await retryLettering(context.db, place, data);
    const reason = LETTERING_FAILURES[data.reason] ?? 'error';
    const body = renderLetteringFailed({ ...data, pageNumber: asked.pageNumber, round: data.round - 1, reason, retriedBy: place.userId });
    return { type: 'update', body: { content: body.content ?? '', components: [] } };
  },
};
