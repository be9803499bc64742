import type { Db } from '../src/db/connection.js';
import { seedChapterWithDraft } from '../loopback/seed.js';

/**
 * Chapters with co-writers and an open narration draft each, made through the real services (the
 * draft is recorded as the worker would record it, without a model call).
 */
export async function openDrafts(
  db: Db,
  input: { guildId: string; storyId: number; threadIds: string[]; writers: string[]; quorum?: string },
): Promise<{ pageId: number; revisionId: number; threadId: string; chapterId: number }[]> {
  if (input.quorum) await db.updateTable('stories').set({ quorum: input.quorum }).where('id', '=', input.storyId).execute();
  const drafts = [];
  for (const threadId of input.threadIds) {
    const draft = await seedChapterWithDraft(db, {
      guildId: input.guildId,
      storyId: input.storyId,
      threadId,
      writers: input.writers,
      title: `Bench ${threadId}`,
      input: 'A page for the benchmark',
      body: 'Bench draft.',
    });
    drafts.push({ ...draft, threadId });
  }
  // The narration jobs these pages queued are not part of any measurement.
  await db.updateTable('outbox').set({ relayed_at: new Date() }).where('relayed_at', 'is', null).execute();
  return drafts;
}
