import { SlashCommandBuilder } from '@discordjs/builders';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, escapeMarkdown } from 'discord.js';
import { setupStory } from '../src/services/story-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';
import { renderStoryStatus } from '../src/discord/render/progress.js';
import { getStoryStatus } from '../src/services/progress-service.js';

export const data = new SlashCommandBuilder()
  .setName('story')
  .setDescription('The story of this channel: set it up, or see where every chapter stands')
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((sub) =>
    sub
      .setName('setup')
      .setDescription('Make this channel a story room (Manage Server)')
      .addStringOption((o) => o.setName('title').setDescription('The story’s title').setMinLength(1).setMaxLength(100)),
  )
  .addSubcommand((sub) => sub.setName('status').setDescription('Every chapter with its pages approved, in review and still open'));

export const story: SlashCommand = {
  data,
  deferAs: (interaction) => (interaction.options.getSubcommand(false) === 'status' ? 'ephemeral' : 'public'),
  async execute(context, interaction) {
    if (interaction.options.getSubcommand() === 'status') {
      const status = await getStoryStatus(context.db, { guildId: interaction.guildId, channelId: interaction.channelId });
      return { type: 'message', ephemeral: true, body: { embeds: [renderStoryStatus(status)] } };
    }
    // Anyone may ask for the status, so the command is visible to all: setting up is checked here.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      return ephemeral('Only members with the Manage Server permission can set up a story room.');
    }
    if (interaction.channel?.isThread()) return ephemeral('Set up the story in a text channel, not inside a thread.');
    const title = readText(interaction.options.getString('title') ?? 'Untitled story', { label: 'The title', max: 100 });
    const { story: created, created: isNew } = await setupStory(
      context.db,
      { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id },
      title,
    );
    return {
      type: 'message',
      ephemeral: false,
      body: {
        content: isNew
          ? `📚 This channel is now the writers’ room for **${escapeMarkdown(created.title)}**. Open a chapter with ${context.mentions.mention('chapter start')}; ${context.mentions.mention('help')} shows what each member can do.`
          : `📚 The story in this channel is now called **${escapeMarkdown(created.title)}**.`,
      },
    };
  },
};
