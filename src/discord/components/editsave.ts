import { formField, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { EDIT_FIELD } from '../../views/custom-id.js';
import { saveEdit } from '../edit-draft.js';

/** The Edit form submitted: the co-writer's text becomes the next version (or is given back with the reason). */
export const editsave: ComponentHandler<'editsave', ComponentInput<'editsave'> & { typed: string }> = {
  on: 'form',
  parse: (input) => ({ ...input, typed: formField(input.interaction, EDIT_FIELD) }),
  run: (context, { data, place, typed }) => saveEdit(context, place, data, typed),
};
