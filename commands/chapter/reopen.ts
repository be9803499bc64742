import { DiscordAPIError, RESTJSONErrorCodes, ThreadAutoArchiveDuration, type ChatInputCommandInteraction } from 'discord.js';
import type { HandlerContext } from '../../src/discord/context.js';
import { missingPermissionRefusal } from '../../src/discord/permission-refusal.js';
import { renderChapterCard } from '../../src/views/chapter-card.js';
import type { Reply } from '../../src/discord/reply.js';
import { ephemeral } from '../../src/discord/reply.js';
import { chapterHere, type MemberPlace } from '../../src/services/member-service.js';
import { findChapterInStoryRoom, storyOfChapter } from '../../src/services/chapter-lookup.js';
import { reopenChapter } from '../../src/services/reopen-chapter.js';
import { recordChapterCard } from '../../src/services/story-service.js';
import { UserError } from '../../src/services/user-error.js';

const AFTER = 'The chapter stays marked as needing attention; grant it and run /chapter reopen again.';

/**
 * `/chapter reopen [number:]`: in the chapter's thread, or from the story channel with its number when
 * the thread is gone. Checks that the bot can reach the thread (a deleted one is opened anew), then
 * lets the service reopen the chapter and resume its work.
 */
export async function reopenChapterCommand(
  context: HandlerContext,
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  place: MemberPlace,
): Promise<Reply> {
  const number = interaction.options.getInteger('number');
  const chapter = number === null ? await chapterHere(context.db, place) : await findChapterInStoryRoom(context.db, place, number);
  let gone = chapter.thread_id === null;
  if (chapter.thread_id !== null) {
    try {
      await interaction.client.channels.fetch(chapter.thread_id, { force: true });
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownChannel) gone = true;
      else throw missingPermissionRefusal(error, "reach the chapter's thread", 'View Channel', AFTER) ?? error;
    }
  }
  let thread: {
    id: string;
    send: (options: ReturnType<typeof renderChapterCard> & { allowedMentions: { parse: [] } }) => Promise<{ id: string }>;
  } | null = null;
  const story = await storyOfChapter(context.db, chapter);
  if (gone) {
    const channel = await interaction.client.channels.fetch(story.channel_id).catch(() => null);
    if (!channel || !('threads' in channel) || !channel.isTextBased())
      throw new UserError(`The story's channel is gone too: run ${context.mentions.mention('story setup')} in a channel first.`);
    thread = await channel.threads
      .create({
        name: `Chapter ${chapter.number}: ${chapter.title}`.slice(0, 100),
        autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
        reason: `storyroom chapter ${chapter.number} reopened`,
      })
      .catch((error: unknown) => {
        throw missingPermissionRefusal(error, 'open a new thread for the chapter', 'Create Public Threads', AFTER) ?? error;
      });
  }
  const reopened = await reopenChapter(context.db, place, { chapterId: chapter.id, newThreadId: thread?.id ?? null });
  if (thread) {
    const card = await thread.send({
      ...renderChapterCard(
        { id: chapter.id, number: chapter.number, title: chapter.title, storyTitle: story.title, coWriters: 1 },
        context.mentions,
      ),
      allowedMentions: { parse: [] },
    });
    await recordChapterCard(context.db, chapter.id, thread.id, card.id);
  }
  const where = thread ? ` in a new thread, <#${thread.id}> (the old one is gone; members and pages are kept)` : '';
  const work =
    reopened.resumed === 0
      ? 'Nothing was waiting.'
      : `${reopened.resumed} page${reopened.resumed === 1 ? '' : 's'} will be shown again or picked up where they stopped.`;
  return ephemeral(`Chapter ${chapter.number}: **${chapter.title}** is open again${where}. ${work}`);
}
