import type { Db } from '../src/db/connection.js';
import { jobKeyFor } from '../src/domain/jobs.js';
import { recordDraft } from '../src/services/record-draft.js';
import { startPage } from '../src/services/start-page.js';

const LIMITS = { pageStartCooldownMs: 0, maxGenerationsPerGuild: 1_000_000, prices: {} };

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
    const last = await db.selectFrom('chapters').select((eb) => eb.fn.max<number | null>('number').as('n')).where('story_id', '=', input.storyId).executeTakeFirstOrThrow();
    const chapter = await db
      .insertInto('chapters')
      .values({ story_id: input.storyId, number: (last.n ?? 0) + 1, title: `Bench ${threadId}`, thread_id: threadId, created_by: input.writers[0] ?? 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('chapter_members').values(input.writers.map((user_id) => ({ chapter_id: chapter.id, user_id, role: 'writer' as const }))).execute();
    const { page } = await startPage(db, { guildId: input.guildId, channelId: threadId, userId: input.writers[0] ?? 'x' }, 'A page for the benchmark', LIMITS);
    const job = { pageId: page.id, kind: 'narration' as const, pageVersion: page.version };
    const recorded = await recordDraft(db, { ...job, generationKey: jobKeyFor('generate-draft', job) }, { body: 'Bench draft.', structured: null, promptContext: null }, { minuteMs: 60_000, continuityReview: false });
    if (recorded.status !== 'recorded') throw new Error('bench draft not recorded');
    drafts.push({ pageId: page.id, revisionId: recorded.revision.id, threadId, chapterId: chapter.id });
  }
  // The narration jobs these pages queued are not part of any measurement.
  await db.updateTable('outbox').set({ relayed_at: new Date() }).where('relayed_at', 'is', null).execute();
  return drafts;
}
