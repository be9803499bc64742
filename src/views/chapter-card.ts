import { ActionRowBuilder, ButtonBuilder, EmbedBuilder } from '@discordjs/builders';
import { ButtonStyle } from 'discord-api-types/v10';
import { encodeCustomId } from './custom-id.js';
import { fitText, LIMITS, NO_MENTIONS, type MessageBody, type MentionCommands } from './message-parts.js';

export function renderChapterCard(
  chapter: { id: number; number: number; title: string; storyTitle: string; coWriters: number },
  mentions: MentionCommands,
): MessageBody {
  const embed = new EmbedBuilder()
    .setTitle(fitText(`Chapter ${chapter.number}: ${chapter.title}`, LIMITS.embedTitle))
    .setDescription(
      `Part of **${fitText(chapter.storyTitle, 200)}**.\n\nPress **Join** to become a co-writer, then start pages here with ${mentions.mention('page start')}. ` +
        'Each draft is voted through with Approve, or sent back with Revise and your feedback.',
    )
    .addFields({ name: 'Co-writers', value: String(chapter.coWriters) })
    .setColor(0x5865f2);
  const join = new ButtonBuilder()
    .setCustomId(encodeCustomId({ action: 'join', chapterId: chapter.id }))
    .setLabel('Join')
    .setStyle(ButtonStyle.Primary);
  return {
    embeds: [embed.toJSON()],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(join).toJSON()],
    allowed_mentions: NO_MENTIONS,
  };
}
