import { SlashCommandBuilder } from '@discordjs/builders';
import { PermissionFlagsBits } from 'discord.js';
import { setupStory } from '../src/services/story-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';

export const data = new SlashCommandBuilder()
  .setName('story')
  .setDescription('Set up this channel as a writers’ room')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setDMPermission(false)
  .addSubcommand((sub) =>
    sub
      .setName('setup')
      .setDescription('Make this channel a story room (Manage Server)')
      .addStringOption((o) => o.setName('title').setDescription('The story’s title').setMinLength(1).setMaxLength(100)),
  );

export const story: SlashCommand = {
  data,
  deferAs: 'public',
  async execute(context, interaction) {
    // The default permission hides the command; this check holds even if a server overrides it.
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
          ? `📚 This channel is now the writers’ room for **${created.title}**. Open a chapter with \`/chapter start title:\`.`
          : `📚 The story in this channel is now called **${created.title}**.`,
      },
    };
  },
};
