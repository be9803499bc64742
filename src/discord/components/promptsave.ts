import { changePanelPrompt, PROMPT_FORM_MAX } from '../../services/change-panel-prompt.js';
import { renderSettingsOf } from '../../services/panel-renders.js';
import { formField, type ComponentHandler, type ComponentInput } from '../component-handler.js';
import { PROMPT_FIELD } from '../../views/custom-id.js';
import { ephemeral } from '../reply.js';
import { readText } from '../text-input.js';

/** The Change prompt form submitted: the panel is drawn again with the new prompt. */
export const promptsave: ComponentHandler<'promptsave', ComponentInput<'promptsave'> & { prompt: string }> = {
  on: 'form',
  parse: (input) => ({
    ...input,
    prompt: readText(formField(input.interaction, PROMPT_FIELD), { label: 'The prompt', max: PROMPT_FORM_MAX }).replace(/\s+/g, ' '),
  }),
  async run(context, { data, place, prompt }) {
    const changed = await changePanelPrompt(
      context.db,
      place,
      data,
      prompt,
      renderSettingsOf(context.config.render),
      context.config.prices,
    );
    return ephemeral(`Panel ${changed.panelNumber} is being drawn again with your prompt; the earlier prompt and render are kept.`);
  },
};
