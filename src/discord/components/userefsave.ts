import { usePanelAsReference } from '../../services/use-as-reference.js';
import { UserError } from '../../services/user-error.js';
import { formField, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { USE_REFERENCE_FIELDS } from '../../views/custom-id.js';
import { ephemeral } from '../reply.js';
import { readText } from '../text-input.js';

type UseReferenceForm = ComponentInput<'userefsave'> & { panelNumber: number; character: string };

/** The Use as reference form submitted: the panel's newest image becomes a reference of the character. */
export const userefsave: ComponentHandler<'userefsave', UseReferenceForm> = {
  on: 'form',
  parse: (input) => {
    const panel = formField(input.interaction, USE_REFERENCE_FIELDS.panel).trim();
    if (!/^\d{1,2}$/.test(panel)) throw new UserError('Give the panel by its number, e.g. 2. Nothing was stored.');
    return {
      ...input,
      panelNumber: Number(panel),
      character: readText(formField(input.interaction, USE_REFERENCE_FIELDS.character), { label: 'The character', max: 100 }),
    };
  },
  async run(context, { data, place, panelNumber, character }) {
    const stored = await usePanelAsReference(context.db, place, { pageId: data.pageId, panelNumber, character });
    return ephemeral(
      `Panel ${stored.panelNumber}'s image is now reference ${stored.position} of **${stored.characterName}**.${stored.position === 1 ? ` Panels showing ${stored.characterName} are drawn with it from now on.` : ''}`,
    );
  },
};
