import { SlashCommandBuilder } from '@discordjs/builders';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, escapeMarkdown } from 'discord.js';
import { setupStory } from '../src/services/story-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';
import { renderStoryStatus } from '../src/views/progress.js';
import { getStoryStatus } from '../src/services/progress-service.js';
import { publishStory, unpublishStory } from '../src/services/publish-story.js';

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
  .addSubcommand((sub) => sub.setName('status').setDescription('Every chapter with its pages approved, in review and still open'))
  .addSubcommand((sub) =>
    sub
      .setName('publish')
      .setDescription('Make the approved pages readable on the web at a new secret link (Manage Server or a chapter owner)'),
  )
  .addSubcommand((sub) => sub.setName('unpublish').setDescription('Revoke the story’s web link (Manage Server or a chapter owner)'));

export const story: SlashCommand = {
  data,
  deferAs: (interaction) => (interaction.options.getSubcommand(false) === 'status' ? 'ephemeral' : 'public'),
  async execute(context, interaction) {
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === 'status') {
      const status = await getStoryStatus(context.db, { guildId: interaction.guildId, channelId: interaction.channelId });
      return { type: 'message', ephemeral: true, body: { embeds: [renderStoryStatus(status, context.mentions)] } };
    }
    const actor = {
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
      isAdmin: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
    };
    if (subcommand === 'publish') {
      const published = await publishStory(context.db, actor, context.config.web.publicUrl);
      const content = `📖 **${published.title}** is published: its approved pages can be read at ${published.url}\nAnyone with the link can read it; ${context.mentions.mention('story unpublish')} revokes it.`;
      return { type: 'message', ephemeral: false, body: { content } };
    }
    if (subcommand === 'unpublish') {
      const { title } = await unpublishStory(context.db, actor);
      return {
        type: 'message',
        ephemeral: false,
        body: { content: `🔒 **${title}** is no longer published: its web link has stopped working.` },
      };
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
