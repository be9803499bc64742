import { LabelBuilder, ModalBuilder, TextInputBuilder } from '@discordjs/builders';
import { TextInputStyle } from 'discord.js';
import { assertDraftOpenForVote } from '../../services/cast-vote.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { encodeCustomId, FEEDBACK_FIELD } from '../../views/custom-id.js';
import { FEEDBACK_MAX } from './feedback.js';

/** Revise: the form asking what should change (its submission is `feedback`). */
export const revise: ComponentHandler<'revise'> = {
  on: 'button',
  opensForm: true,
  parse: asIs,
  async run(context, { data, place }) {
    const { page, revision } = await assertDraftOpenForVote(context.db, place, data);
    const modal = new ModalBuilder()
      .setCustomId(encodeCustomId({ action: 'feedback', pageId: data.pageId, revisionId: data.revisionId }))
      .setTitle(`Revise page ${page.number} ${revision.kind} v${revision.version}`.slice(0, 45))
      .addLabelComponents(
        new LabelBuilder()
          .setLabel('What should change?')
          .setTextInputComponent(
            new TextInputBuilder()
              .setCustomId(FEEDBACK_FIELD)
              .setStyle(TextInputStyle.Paragraph)
              .setPlaceholder('e.g. Slow the reveal down; Kai would not know the Mark yet.')
              .setMinLength(1)
              .setMaxLength(FEEDBACK_MAX)
              .setRequired(true),
          ),
      );
    return { type: 'modal', modal: modal.toJSON() };
  },
};
