import type { MemberRole } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { getChapterByThread } from '../db/chapters.js';
import { getStoryByChannel } from '../db/stories.js';
import { effectiveRole, type MemberPlace } from './member-service.js';

/** Where `/help` was asked and what the asker is there: it decides which commands are worth listing. */
export type HelpPlace =
  | { kind: 'chapter'; storyTitle: string; chapterTitle: string; role: MemberRole | null; isAdmin: boolean }
  | { kind: 'story'; storyTitle: string; isAdmin: boolean }
  | { kind: 'elsewhere'; isAdmin: boolean };

export async function describeHelpPlace(db: Executor, place: MemberPlace): Promise<HelpPlace> {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (chapter) {
    return {
      kind: 'chapter',
      storyTitle: chapter.story_title,
      chapterTitle: chapter.title,
      role: await effectiveRole(db, chapter.id, place),
      isAdmin: place.isAdmin,
    };
  }
  const story = await getStoryByChannel(db, place.guildId, place.channelId);
  if (story) return { kind: 'story', storyTitle: story.title, isAdmin: place.isAdmin };
  return { kind: 'elsewhere', isAdmin: place.isAdmin };
}
