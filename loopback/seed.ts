import type { Db } from '../src/db/connection.js';
import type { Insertable } from 'kysely';
import type { Database, MemberRole } from '../src/db/database.js';
import type { Executor } from '../src/db/executor.js';
import { jobKeyFor } from '../src/domain/jobs.js';
import type { InteractionPlace } from '../src/services/co-writers.js';
import { recordDraft } from '../src/services/record-draft.js';
import { startPage } from '../src/services/start-page.js';

// The rows tests and the benchmark start from, one way for all of them: Discord-shaped ids, a story, a
// chapter with its members, and a page with an open narration draft made by the real services.

/** No cooldown and no practical cap: a seed starts as many pages as it needs. */
export const SEED_LIMITS = { pageStartCooldownMs: 0, maxGenerationsPerGuild: 1_000_000, prices: {} };
const SEED_CLOCK = { minuteMs: 60_000, continuityReview: false };

/**
 * Ids shaped like Discord's snowflakes (17–20 digits), counting up from `after`: each test file takes
 * a series of its own (`const snowflake = snowflakes(420_000_000_000_100_000n)`), so ids never collide.
 */
export function snowflakes(after: bigint): () => string {
  let next = after;
  return () => String((next += 1n));
}

/** A story row; returns its id. */
export async function seedStory(
  db: Executor,
  story: { guildId: string; channelId: string; title: string; createdBy: string; quorum?: string },
): Promise<number> {
  const row = await db
    .insertInto('stories')
    .values({
      guild_id: story.guildId,
      channel_id: story.channelId,
      title: story.title,
      created_by: story.createdBy,
      ...(story.quorum === undefined ? {} : { quorum: story.quorum }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A chapter of the story in `threadId`, numbered after the story's last one unless `number` is given,
 * with its members (a user id alone is a writer, the column's default); returns its id.
 */
export async function seedChapter(
  db: Executor,
  chapter: {
    storyId: number;
    threadId: string;
    title: string;
    createdBy: string;
    number?: number;
    members?: readonly (string | { userId: string; role: MemberRole })[];
  },
): Promise<number> {
  const number =
    chapter.number ??
    ((
      await db
        .selectFrom('chapters')
        .select((eb) => eb.fn.max<number | null>('number').as('n'))
        .where('story_id', '=', chapter.storyId)
        .executeTakeFirstOrThrow()
    ).n ?? 0) + 1;
  const row = await db
    .insertInto('chapters')
    .values({ story_id: chapter.storyId, number, title: chapter.title, thread_id: chapter.threadId, created_by: chapter.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  const members = (chapter.members ?? []).map((member) =>
    typeof member === 'string'
      ? { chapter_id: row.id, user_id: member }
      : { chapter_id: row.id, user_id: member.userId, role: member.role },
  );
  if (members.length > 0) await db.insertInto('chapter_members').values(members).execute();
  return row.id;
}

/**
 * A new page started by `place.userId` in the chapter of `place.channelId`, with its narration draft
 * recorded as the worker records it (no model call): open for votes.
 */
export async function seedOpenDraft(
  db: Db,
  place: InteractionPlace,
  draft: { input?: string; body?: string } = {},
): Promise<{ pageId: number; revisionId: number }> {
  const { page } = await startPage(db, place, draft.input ?? 'A page', SEED_LIMITS);
  const job = { pageId: page.id, kind: 'narration' as const, pageVersion: page.version };
  const recorded = await recordDraft(
    db,
    { ...job, generationKey: jobKeyFor('generate-draft', job) },
    { body: draft.body ?? 'Draft one.', structured: null, promptContext: null },
    SEED_CLOCK,
  );
  if (recorded.status !== 'recorded') throw new Error(`the seeded draft was not recorded: ${recorded.status}`);
  return { pageId: page.id, revisionId: recorded.revision.id };
}

/** A chapter in `threadId` with these co-writers (the first starts the page) and an open narration draft on its page 1. */
export async function seedChapterWithDraft(
  db: Db,
  room: { guildId: string; storyId: number; threadId: string; writers: readonly string[]; title?: string; input?: string; body?: string },
): Promise<{ chapterId: number; pageId: number; revisionId: number }> {
  const starter = room.writers[0] ?? 'x';
  const chapterId = await seedChapter(db, {
    storyId: room.storyId,
    threadId: room.threadId,
    title: room.title ?? 'A chapter',
    createdBy: starter,
    members: room.writers,
  });
  const draft = await seedOpenDraft(
    db,
    { guildId: room.guildId, channelId: room.threadId, userId: starter },
    { ...(room.input === undefined ? {} : { input: room.input }), ...(room.body === undefined ? {} : { body: room.body }) },
  );
  return { chapterId, ...draft };
}

/** A page row as a test needs it (a state, a version), without going through the services; returns its id. */
export async function seedPage(
  db: Executor,
  page: {
    chapterId: number;
    number: number;
    input: string;
    state: Insertable<Database['story_pages']>['state'];
    createdBy: string;
    version?: number;
    generationStartedAt?: Date;
  },
): Promise<number> {
  const row = await db
    .insertInto('story_pages')
    .values({
      chapter_id: page.chapterId,
      number: page.number,
      input: page.input,
      state: page.state,
      created_by: page.createdBy,
      ...(page.version === undefined ? {} : { version: page.version }),
      ...(page.generationStartedAt === undefined ? {} : { generation_started_at: page.generationStartedAt }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A version of a page's narration or dialogue (version 1 unless given); returns its id. */
export async function seedRevision(
  db: Executor,
  revision: {
    pageId: number;
    kind: 'narration' | 'dialogue';
    body: string;
    version?: number;
    status?: Insertable<Database['page_revisions']>['status'];
  },
): Promise<number> {
  const row = await db
    .insertInto('page_revisions')
    .values({
      page_id: revision.pageId,
      kind: revision.kind,
      version: revision.version ?? 1,
      body: revision.body,
      structured: null,
      ...(revision.status === undefined ? {} : { status: revision.status }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
