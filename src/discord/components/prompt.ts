import { LabelBuilder, ModalBuilder, TextInputBuilder } from '@discordjs/builders';
import { TextInputStyle } from 'discord.js';
import { panelPromptToChange, PROMPT_FORM_MAX, type PromptToChange } from '../../services/change-panel-prompt.js';
import { renderSettingsOf } from '../../services/panel-renders.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { encodeCustomId, PROMPT_FIELD } from '../../views/custom-id.js';
import { ephemeral } from '../reply.js';

/** Change prompt: the form with the panel's current prompt (its submission is `promptsave`). */
export const prompt: ComponentHandler<'prompt'> = {
  on: 'button',
  opensForm: true,
  parse: asIs,
  async run(context, { data, place }) {
    const current = await panelPromptToChange(context.db, place, data.panelId, renderSettingsOf(context.config.render));
    if (current.prompt.length > PROMPT_FORM_MAX)
      return ephemeral(
        `Panel ${current.panelNumber}'s prompt is longer than a form holds (${PROMPT_FORM_MAX} characters). Nothing was changed.`,
      );
    return { type: 'modal', modal: panelPromptForm(data.panelId, current).toJSON() };
  },
};

/** The Change prompt form: the panel's current prompt, ready to edit. */
function panelPromptForm(panelId: number, current: PromptToChange): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ action: 'promptsave', panelId, renderId: current.renderId }))
    .setTitle(`Page ${current.pageNumber} · panel ${current.panelNumber} prompt`.slice(0, 45))
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('What the image shows')
        .setTextInputComponent(
          new TextInputBuilder()
            .setCustomId(PROMPT_FIELD)
            .setStyle(TextInputStyle.Paragraph)
            .setValue(current.prompt)
            .setMinLength(1)
            .setMaxLength(PROMPT_FORM_MAX)
            .setRequired(true),
        ),
    );
}
