import { EmbedBuilder, SlashCommandBuilder } from '@discordjs/builders';
import { ChannelType, ThreadAutoArchiveDuration } from 'discord.js';
import { attachChapterThread, createChapter, joinChapter, recordChapterCard, requireStoryRoom } from '../src/services/story-service.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { renderChapterCard } from '../src/discord/render/chapter-card.js';
import { fitText, LIMITS } from '../src/discord/render/message-parts.js';
import { describePageState } from '../src/domain/page-state-machine.js';
import { getChapterProgress } from '../src/services/progress-service.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';
import { UserError } from '../src/services/user-error.js';

export const data = new SlashCommandBuilder()
  .setName('chapter')
  .setDescription('Chapters of the story: each lives in its own thread')
  .setDMPermission(false)
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Open the next chapter in a new thread')
      .addStringOption((o) => o.setName('title').setDescription('The chapter’s title').setRequired(true).setMinLength(1).setMaxLength(90)),
  )
  .addSubcommand((sub) => sub.setName('join').setDescription('Become a co-writer of this chapter (run it in the chapter thread)'))
  .addSubcommand((sub) => sub.setName('progress').setDescription('Each page’s state, versions and the votes still to come'));

export const chapter: SlashCommand = {
  data,
  // Opening a chapter is announced to the room; joining is only the joiner's business.
  deferAs: (interaction) => (interaction.options.getSubcommand(false) === 'start' ? 'public' : 'ephemeral'),
  async execute(context, interaction) {
    const place = { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id };
    if (interaction.options.getSubcommand() === 'progress') {
      const { chapter: found, summary, pages } = await getChapterProgress(context.db, place);
      const lines = pages.map((page) => {
        const draft = page.current_kind ? ` · ${page.current_kind} v${page.current_version}` : '';
        const reviewing = page.state === 'user_reviewing_narration' || page.state === 'user_reviewing_dialogue';
        const votes = reviewing ? ` · ${page.approvals + page.revise_votes} of ${summary.co_writers} voted (✅ ${page.approvals} ✏️ ${page.revise_votes})` : '';
        return `**Page ${page.number}**: ${describePageState(page)}${draft}${votes}`;
      });
      const embed = new EmbedBuilder()
        .setTitle(fitText(`Chapter ${found.number}: ${found.title}`, LIMITS.embedTitle))
        .setDescription(
          fitText(
            `${summary.pages} page${summary.pages === 1 ? '' : 's'}: ${summary.approved_pages} approved, ${summary.pages_in_review} in review, ${summary.pages_generating} being written, ${summary.pages_failed} failed · ${summary.co_writers} co-writer${summary.co_writers === 1 ? '' : 's'}${found.status === 'needs_attention' ? `\n⚠️ Needs attention: ${found.attention_reason ?? ''}` : ''}\n\n${lines.join('\n') || 'No pages yet: start one with /page start.'}`,
            LIMITS.embedDescription,
          ),
        );
      return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
    }
    if (interaction.options.getSubcommand() === 'join') {
      const joined = await joinChapter(context.db, place, null);
      return ephemeral(
        joined.joined
          ? `You joined **${joined.chapterTitle}** as a co-writer (${joined.coWriters} in all).`
          : `You are already a co-writer of **${joined.chapterTitle}**.`,
      );
    }

    const title = readText(interaction.options.getString('title', true), { label: 'The title', max: 90 });
    await requireStoryRoom(context.db, place);
    const channel = interaction.channel;
    if (!channel || channel.type !== ChannelType.GuildText) throw new UserError('Chapters are opened from the story’s text channel.');
    const { story, chapter: created } = await createChapter(context.db, place, title);
    const thread = await channel.threads.create({
      name: `Chapter ${created.number}: ${title}`.slice(0, 100),
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
      reason: `storyroom chapter ${created.number}`,
    });
    await attachChapterThread(context.db, created.id, thread.id);
    const card = await thread.send({
      ...renderChapterCard({ id: created.id, number: created.number, title, storyTitle: story.title, coWriters: 1 }),
      allowedMentions: { parse: [] },
    });
    await recordChapterCard(context.db, created.id, thread.id, card.id);
    return {
      type: 'message',
      ephemeral: false,
      body: { content: `📖 **Chapter ${created.number}: ${title}** is open in <#${thread.id}>. Join there to write it together.` },
    };
  },
};
