import { draftToEdit, EDIT_FORM_MAX } from '../../services/edit-draft.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { editableText, editForm } from '../edit-draft.js';
import { ephemeral } from '../reply.js';

/** Edit: the form prefilled with the open draft (its submission is `editsave`). */
export const edit: ComponentHandler<'edit'> = {
  on: 'button',
  opensForm: true,
  parse: asIs,
  async run(context, { data, place }) {
    const { page, revision } = await draftToEdit(context.db, place, data);
    const text = editableText(revision);
    if (text.length > EDIT_FORM_MAX) {
      return ephemeral(
        `This draft is ${text.length} characters, more than a form holds (${EDIT_FORM_MAX}). Download it, edit it and send it back with ${context.mentions.mention('page edit')} (page ${page.number}, with the file).`,
      );
    }
    return { type: 'modal', modal: editForm(page.number, revision, text).toJSON() };
  },
};
