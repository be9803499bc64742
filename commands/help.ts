import { EmbedBuilder, SlashCommandBuilder } from '@discordjs/builders';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, escapeMarkdown } from 'discord.js';
import type { CommandMentions } from '../src/discord/command-mentions.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { describeHelpPlace, type HelpPlace } from '../src/services/help-service.js';
import { ROLE_RIGHTS } from '../src/services/member-service.js';

export const data = new SlashCommandBuilder()
  .setName('help')
  .setDescription('What you can do here, with your role')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

/** One line per command worth running here: a clickable mention and what it does. */
function linesFor(place: HelpPlace, m: CommandMentions): string[] {
  const admin = place.isAdmin
    ? [
        `${m.mention('settings')}: quorum, revisions, models, tone, reminders, deadlines and the monthly budget`,
        `${m.mention('bible add')} · ${m.mention('bible remove')}: the story bible`,
      ]
    : [];
  const anyone = [
    `${m.mention('story status')}: every chapter and its pages`,
    `${m.mention('bible list')} · ${m.mention('bible show')}: the story bible`,
    `${m.mention('usage')}: tokens and cost`,
  ];
  switch (place.kind) {
    case 'elsewhere':
      return place.isAdmin
        ? [`${m.mention('story setup')}: make this channel a story room`]
        : [
            `This channel is not a story room. Ask someone with Manage Server to run ${m.mention('story setup')} in the channel meant for the story.`,
          ];
    case 'story':
      return [
        `${m.mention('chapter start')}: open the next chapter in a thread of its own`,
        ...anyone,
        ...admin,
        ...(place.isAdmin ? [`${m.mention('story setup')}: rename the story`] : []),
      ];
    case 'chapter': {
      const reading = [
        `${m.mention('chapter progress')}: each page's state and the votes still to come`,
        `${m.mention('page history')} · ${m.mention('page diff')}: versions, votes and feedback, and what changed`,
        `${m.mention('chapter members')}: who writes here`,
        `${m.mention('chapter export')}: the chapter as Markdown, JSON or a ComfyUI workflow`,
      ];
      const writing = [
        `${m.mention('page start')}: start the next page`,
        'On a draft: **Approve**, or **Revise** with feedback; **Retry** when a draft failed',
      ];
      const owning = [
        `${m.mention('page restore')}: bring an earlier version back to a vote`,
        `${m.mention('chapter members')} with \`user:\` and \`role:\`: give roles or remove someone`,
      ];
      if (place.role === null)
        return [`${m.mention('chapter join')} (or **Join** on the chapter card): become a co-writer`, ...reading, ...anyone];
      if (place.role === 'viewer') return [...reading, ...anyone];
      return [...writing, ...(place.role === 'owner' ? owning : []), ...reading, ...anyone, ...admin];
    }
  }
}

function titleFor(place: HelpPlace): string {
  if (place.kind === 'chapter') return `${place.chapterTitle} · ${place.role ?? 'not a member yet'}`;
  if (place.kind === 'story') return `${place.storyTitle} · story channel`;
  return 'storyroom';
}

function roleLine(place: HelpPlace): string {
  if (place.kind !== 'chapter')
    return place.isAdmin ? 'You have Manage Server: you set up stories, change settings and keep the bible.' : '';
  if (place.role === null) return 'You are not a member of this chapter yet.';
  return `As ${place.role === 'owner' ? 'an owner' : `a ${place.role}`} you can: ${ROLE_RIGHTS[place.role]}.`;
}

export const help: SlashCommand = {
  data,
  deferAs: 'ephemeral',
  async execute(context, interaction) {
    const isAdmin = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
    const place = await describeHelpPlace(context.db, {
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
      isAdmin,
    });
    const description = [roleLine(place), ...linesFor(place, context.mentions).map((line) => `• ${line}`)].filter(Boolean).join('\n');
    const embed = new EmbedBuilder()
      .setTitle(escapeMarkdown(`What you can do here: ${titleFor(place)}`).slice(0, 256))
      .setDescription(description.slice(0, 4096));
    return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
  },
};
