import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connection.js';
import { jobKeyFor } from '../../src/domain/jobs.js';
import { castVoteOrPick } from '../../src/services/cast-vote.js';
import { setMemberRole } from '../../src/services/member-service.js';
import { recordDraft } from '../../src/services/record-draft.js';
import { startPage } from '../../src/services/start-page.js';
import { restoreVersion } from '../../src/services/version-service.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { seedChapter, seedStory, snowflakes } from '../../loopback/seed.js';

const GUILD = '420000000000000001';
const LIMITS = { pageStartCooldownMs: 0, maxGenerationsPerGuild: 100_000, prices: {} };
const CLOCK = { minuteMs: 60_000, continuityReview: false };
const snowflake = snowflakes(420_000_000_000_100_000n);

// Finding 7: a writing use case takes its lock before it checks who may act, so a role change
// committed while it waited is the one it sees.
describe('lock, then check', () => {
  let database: TestDatabase;
  let db: Db;
  let storyId: number;

  beforeAll(async () => {
    database = await createTestDatabase('lockcheck');
    db = database.db;
    storyId = await seedStory(db, { guildId: GUILD, channelId: snowflake(), title: 'Locks', createdBy: 'a' });
  });
  afterAll(async () => {
    await database.drop();
  });

  async function chapterWithTwoOwners() {
    const threadId = snowflake();
    const members = [
      { userId: 'a', role: 'owner' as const },
      { userId: 'b', role: 'owner' as const },
      { userId: 'c', role: 'writer' as const },
    ];
    const chapterId = await seedChapter(db, { storyId, threadId, title: 'Locks', createdBy: 'a', members });
    return { chapterId, threadId };
  }

  /** Another owner's member change in flight: it holds the chapter lock and has demoted `userId`, not yet committed. */
  async function demotionInFlight(chapterId: number, userId: string) {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = () => {};
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const done = db.transaction().execute(async (trx) => {
      await trx.selectFrom('chapters').select('id').where('id', '=', chapterId).forUpdate().execute();
      await trx
        .updateTable('chapter_members')
        .set({ role: 'writer' })
        .where('chapter_id', '=', chapterId)
        .where('user_id', '=', userId)
        .execute();
      held();
      await released;
    });
    await holding;
    return {
      async commit() {
        release();
        await done;
      },
    };
  }

  /** Settles when the action finished or is waiting for a lock: whichever comes first. */
  async function finishedOrWaiting(action: Promise<unknown>) {
    let finished = false;
    void action.then(
      () => (finished = true),
      () => (finished = true),
    );
    for (;;) {
      if (finished) return;
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
      if ((rows[0]?.n ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('a member change by an owner demoted meanwhile is refused', async () => {
    const { chapterId, threadId } = await chapterWithTwoOwners();
    const demotion = await demotionInFlight(chapterId, 'b');
    const change = setMemberRole(
      db,
      { guildId: GUILD, channelId: threadId, userId: 'b', isAdmin: false },
      { userId: 'c', isBot: false },
      'owner',
    );
    const outcome = change.then(
      () => 'changed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await finishedOrWaiting(change);
    await demotion.commit();
    expect(await outcome).toMatch(/Only the chapter's owners/);
    const c = await db
      .selectFrom('chapter_members')
      .select('role')
      .where('chapter_id', '=', chapterId)
      .where('user_id', '=', 'c')
      .executeTakeFirstOrThrow();
    expect(c.role).toBe('writer');
  });

  it('a restore by an owner demoted meanwhile is refused', async () => {
    const { chapterId, threadId } = await chapterWithTwoOwners();
    const { page } = await startPage(db, { guildId: GUILD, channelId: threadId, userId: 'a' }, 'A page', LIMITS);
    const job = { pageId: page.id, kind: 'narration' as const, pageVersion: page.version };
    const recorded = await recordDraft(
      db,
      { ...job, generationKey: jobKeyFor('generate-draft', job) },
      { body: 'Draft one.', structured: null, promptContext: null },
      CLOCK,
    );
    if (recorded.status !== 'recorded') throw new Error('draft not recorded');
    // Approved by two of three: restoring narration v1 would reopen the page.
    for (const userId of ['a', 'c'])
      await castVoteOrPick(
        db,
        { guildId: GUILD, channelId: threadId, userId },
        { pageId: page.id, revisionId: recorded.revision.id },
        'approve',
        null,
      );
    const generating = await db.selectFrom('story_pages').select('version').where('id', '=', page.id).executeTakeFirstOrThrow();
    const dialogueJob = { pageId: page.id, kind: 'dialogue' as const, pageVersion: generating.version };
    await recordDraft(
      db,
      { ...dialogueJob, generationKey: jobKeyFor('generate-draft', dialogueJob) },
      { body: 'A: Hm.', structured: null, promptContext: null },
      CLOCK,
    );
    const demotion = await demotionInFlight(chapterId, 'b');
    const restore = restoreVersion(db, { guildId: GUILD, channelId: threadId, userId: 'b', isAdmin: false }, 1, 'narration', 1, CLOCK);
    const outcome = restore.then(
      () => 'restored',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await finishedOrWaiting(restore);
    await demotion.commit();
    expect(await outcome).toMatch(/Only the chapter's owners/);
    const versions = await db
      .selectFrom('page_revisions')
      .select('version')
      .where('page_id', '=', page.id)
      .where('kind', '=', 'narration')
      .execute();
    expect(versions).toHaveLength(1);
  });

  it('a page start by a writer made a viewer meanwhile is refused', async () => {
    const { chapterId, threadId } = await chapterWithTwoOwners();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = () => {};
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const demoting = db.transaction().execute(async (trx) => {
      await trx.selectFrom('chapters').select('id').where('id', '=', chapterId).forUpdate().execute();
      await trx
        .updateTable('chapter_members')
        .set({ role: 'viewer' })
        .where('chapter_id', '=', chapterId)
        .where('user_id', '=', 'c')
        .execute();
      held();
      await released;
    });
    await holding;
    const start = startPage(db, { guildId: GUILD, channelId: threadId, userId: 'c' }, 'Too late', LIMITS);
    const outcome = start.then(
      () => 'started',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await finishedOrWaiting(start);
    release();
    await demoting;
    expect(await outcome).toMatch(/Only co-writers/);
  });
});
