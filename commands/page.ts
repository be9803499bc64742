import { SlashCommandBuilder } from '@discordjs/builders';
import { countDraftsAhead, startPage } from '../src/services/page-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { renderPageCard } from '../src/discord/render/page-messages.js';
import { readText } from '../src/discord/text-input.js';

export const PAGE_INPUT_MAX = 1_000;

export const data = new SlashCommandBuilder()
  .setName('page')
  .setDescription('Pages of the chapter')
  .setDMPermission(false)
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Start the next page from a short prompt (in a chapter thread)')
      .addStringOption((o) =>
        o.setName('input').setDescription('What happens on this page').setRequired(true).setMinLength(1).setMaxLength(PAGE_INPUT_MAX),
      ),
  );

export const page: SlashCommand = {
  data,
  deferAs: 'public',
  async execute(context, interaction) {
    const input = readText(interaction.options.getString('input', true), { label: 'The page input', max: PAGE_INPUT_MAX });
    const place = { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id };
    const started = await startPage(context.db, place, input, context.config.limits);
    context.kickRelay();
    const ahead = await countDraftsAhead(context.db, started.page);
    const card = renderPageCard(
      started.page,
      ahead > 0
        ? `Queued behind ${ahead} other draft${ahead === 1 ? '' : 's'}: the narration will appear below as it is written.`
        : 'Queued: the narration will appear below as it is written.',
    );
    return {
      type: 'message',
      ephemeral: false,
      body: { embeds: card.embeds },
      afterSend: async (messageId) => {
        await context.db
          .insertInto('discord_messages')
          .values({ channel_id: interaction.channelId, message_id: messageId, purpose: 'page_card', chapter_id: started.chapterId, page_id: started.page.id })
          .onConflict((oc) => oc.doNothing())
          .execute();
      },
    };
  },
};
