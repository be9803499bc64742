import type { Executor } from '../db/executor.js';
import type { Chapter, Story } from '../db/database.js';
import { getChapterByNumber } from '../db/chapters.js';
import { getStory } from '../db/stories.js';
import { requireStoryRoom } from './story-service.js';
import { UserError } from './user-error.js';

/** A chapter of the story whose room this channel is, by its number (its thread may be gone). */
export async function findChapterInStoryRoom(
  db: Executor,
  place: { guildId: string; channelId: string },
  number: number,
): Promise<Chapter> {
  const story = await requireStoryRoom(db, place);
  const chapter = await getChapterByNumber(db, story.id, number);
  if (!chapter) throw new UserError(`${story.title} has no chapter ${number}.`);
  return chapter;
}

export async function storyOfChapter(db: Executor, chapter: Pick<Chapter, 'story_id'>): Promise<Story> {
  const story = await getStory(db, chapter.story_id);
  if (!story) throw new Error(`story ${chapter.story_id} not found`);
  return story;
}
