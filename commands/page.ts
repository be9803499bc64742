import { SlashCommandBuilder } from '@discordjs/builders';
import { countDraftsAhead, startPage } from '../src/services/page-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { renderPageCard } from '../src/discord/render/page-messages.js';
import { readText } from '../src/discord/text-input.js';
import { renderPageHistory } from '../src/discord/render/page-history.js';
import { getPageHistory } from '../src/services/history-service.js';

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
  )
  .addSubcommand((sub) =>
    sub
      .setName('history')
      .setDescription('Every version of a page with its votes, feedback and what its prompt used')
      .addIntegerOption((o) => o.setName('page').setDescription('Page number (default: the latest)').setMinValue(1).setMaxValue(100_000)),
  );

export const page: SlashCommand = {
  data,
  // A started page is announced to the room; a history is for the one who asked.
  deferAs: (interaction) => (interaction.options.getSubcommand(false) === 'history' ? 'ephemeral' : 'public'),
  async execute(context, interaction) {
    if (interaction.options.getSubcommand() === 'history') {
      const { page: found, versions } = await getPageHistory(
        context.db,
        { guildId: interaction.guildId, channelId: interaction.channelId },
        interaction.options.getInteger('page'),
      );
      return { type: 'message', ephemeral: true, body: { embeds: renderPageHistory(found, versions) } };
    }
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
