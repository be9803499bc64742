import { NUDGE_CHANGES } from '../../domain/lettering/script.js';
import { nudgeLetteredBalloon } from '../../services/nudge-lettered-page.js';
import { UserError } from '../../services/user-error.js';
import { selectedValue, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { ephemeral } from '../reply.js';

const isChange = (value: string): value is (typeof NUDGE_CHANGES)[number] => (NUDGE_CHANGES as readonly string[]).includes(value);

/** A balloon's Nudge select on a "Page N · Lettered" message: the next version is composed with the nudge. */
export const nudge: ComponentHandler<'nudge', ComponentInput<'nudge'> & { change: (typeof NUDGE_CHANGES)[number] }> = {
  on: 'select',
  parse(input) {
    const change = selectedValue(input.interaction);
    if (!isChange(change)) throw new UserError('That nudge is not one storyroom knows. Nothing was changed.');
    return { ...input, change };
  },
  async run(context, { data, place, change }) {
    const asked = await nudgeLetteredBalloon(context.db, place, { letteredId: data.letteredId, balloon: data.balloon, change });
    return ephemeral(
      `Balloon ${asked.balloon}: ${asked.label.toLowerCase()}. Page ${asked.pageNumber} is being lettered again with it (version ${asked.version}); it is posted below when ready.`,
    );
  },
};
