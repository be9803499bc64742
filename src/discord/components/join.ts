import { getChapter } from '../../db/chapters.js';
import { joinChapter } from '../../services/story-service.js';
import { asIs, type ComponentHandler } from '../component-handler.js';
import { renderChapterCard } from '../../views/chapter-card.js';
import { ephemeral } from '../reply.js';

/** Join on a chapter card: the clicker becomes a co-writer, and the card shows the new count. */
export const join: ComponentHandler<'join'> = {
  on: 'button',
  parse: asIs,
  async run(context, { data, place }) {
    const joined = await joinChapter(context.db, place, data.chapterId);
    if (!joined.joined) return ephemeral(`You are already a co-writer of ${joined.chapterTitle}.`);
    const chapter = await getChapter(context.db, data.chapterId);
    if (!chapter) return ephemeral(`You joined ${joined.chapterTitle}.`);
    return {
      type: 'update',
      body: renderChapterCard(
        { id: chapter.id, number: chapter.number, title: chapter.title, storyTitle: chapter.story_title, coWriters: joined.coWriters },
        context.mentions,
      ),
      note: `You joined **${joined.chapterTitle}** as a co-writer. Start a page with ${context.mentions.mention('page start')}, and vote on drafts here.`,
    };
  },
};
