import { LabelBuilder, ModalBuilder, TextInputBuilder } from '@discordjs/builders';
import { TextInputStyle } from 'discord.js';
import { referenceCandidates } from '../../services/use-as-reference.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { encodeCustomId, USE_REFERENCE_FIELDS } from '../../views/custom-id.js';

/** Use as reference: a form asking which drawn panel and which bible character (its submission is `userefsave`). */
export const useref: ComponentHandler<'useref'> = {
  on: 'button',
  opensForm: true,
  parse: asIs,
  async run(context, { data, place }) {
    const { pageNumber, panels } = await referenceCandidates(context.db, place, data.pageId);
    const only = panels.length === 1 ? panels[0] : undefined;
    const names = [...new Set(panels.flatMap((p) => p.characters))];
    const panelInput = new TextInputBuilder()
      .setCustomId(USE_REFERENCE_FIELDS.panel)
      .setStyle(TextInputStyle.Short)
      .setMinLength(1)
      .setMaxLength(2)
      .setRequired(true)
      .setPlaceholder(`one of ${panels.map((p) => p.panelNumber).join(', ')}`.slice(0, 100));
    if (only) panelInput.setValue(String(only.panelNumber));
    const characterInput = new TextInputBuilder()
      .setCustomId(USE_REFERENCE_FIELDS.character)
      .setStyle(TextInputStyle.Short)
      .setMinLength(1)
      .setMaxLength(100)
      .setRequired(true);
    if (names.length > 0) characterInput.setPlaceholder(`e.g. ${names.join(', ')}`.slice(0, 100));
    const modal = new ModalBuilder()
      .setCustomId(encodeCustomId({ action: 'userefsave', pageId: data.pageId }))
      .setTitle(`Page ${pageNumber} · use a panel as reference`.slice(0, 45))
      .addLabelComponents(
        new LabelBuilder().setLabel('Panel number').setTextInputComponent(panelInput),
        new LabelBuilder().setLabel('Bible character it shows').setTextInputComponent(characterInput),
      );
    return { type: 'modal', modal: modal.toJSON() };
  },
};
