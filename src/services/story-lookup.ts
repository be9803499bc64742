import type { Db } from '../db/connection.js';
import { getChapterByThread } from '../db/chapters.js';
import { getStoryByChannel } from '../db/stories.js';
import { UserError } from './user-error.js';

/** The story of a story channel or of one of its chapter threads, within the asking guild. */
export async function findStoryHere(db: Db, place: { guildId: string; channelId: string }): Promise<{ id: number; title: string }> {
  const story = await getStoryByChannel(db, place.guildId, place.channelId);
  if (story) return story;
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (chapter) return { id: chapter.story_id, title: chapter.story_title };
  throw new UserError('Run this in a story channel or one of its chapter threads.');
}
