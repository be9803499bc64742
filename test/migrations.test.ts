import { migrations } from '../migrations/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createEmptyDatabase } from '../loopback/local-database.js';

const EXPECTED_TABLES = [
  'agent_execution_log',
  'canonical_refs',
  'chapter_member_removals',
  'chapter_members',
  'chapters',
  'discord_message_claims',
  'discord_messages',
  'images',
  'interaction_receipts',
  'lettered_page_votes',
  'lettered_pages',
  'outbox',
  'page_revisions',
  'page_transitions',
  'panel_prompt_edits',
  'panel_prompts',
  'panel_renders',
  'panel_set_approvals',
  'panel_set_votes',
  'reference_images',
  'stories',
  'story_pages',
  'user_feedback',
  'votes',
];

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const pools: Db[] = [];
  const open = () => {
    const db = createDatabase(database.url, { maxConnections: 2 });
    pools.push(db);
    return db;
  };

  beforeAll(async () => {
    database = await createEmptyDatabase('migrations');
  });
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy()));
    await database.drop();
  });

  it('two runners starting at once on an empty database apply each migration once', async () => {
    const [first, second] = await Promise.all([migrateToLatest(open()), migrateToLatest(open())]);
    const applied = [...(first.results ?? []), ...(second.results ?? [])].filter((r) => r.status === 'Success');
    expect(applied.map((r) => r.migrationName)).toEqual(Object.keys(migrations).sort());

    const db = open();
    const tables = await db
      .selectFrom(sql<{ table_name: string }>`information_schema.tables`.as('t'))
      .select('table_name')
      .where(sql.ref('table_schema'), '=', 'public')
      .where(sql.ref('table_type'), '=', 'BASE TABLE')
      .orderBy('table_name')
      .execute();
    expect(tables.map((t) => t.table_name).filter((name) => !name.startsWith('kysely_'))).toEqual(EXPECTED_TABLES);
    const views = await sql<{
      table_name: string;
    }>`select table_name from information_schema.views where table_schema = 'public' order by 1`.execute(db);
    expect(views.rows.map((v) => v.table_name)).toEqual(['chapter_progress', 'page_status_summary']);
  });

  it('running again changes nothing', async () => {
    const result = await migrateToLatest(open());
    expect(result.results).toEqual([]);
  });

  describe('constraints', () => {
    let db: Db;
    let revisionId: number;
    let chapterId: number;

    beforeAll(async () => {
      db = open();
      const story = await db
        .insertInto('stories')
        .values({ guild_id: '100000000000000001', channel_id: '100000000000000002', title: 'Mark', created_by: '100000000000000003' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const chapter = await db
        .insertInto('chapters')
        .values({ story_id: story.id, number: 1, title: 'One', thread_id: '100000000000000004', created_by: '100000000000000003' })
        .returning('id')
        .executeTakeFirstOrThrow();
      chapterId = chapter.id;
      const page = await db
        .insertInto('story_pages')
        .values({
          chapter_id: chapter.id,
          number: 1,
          input: 'The Mark glows',
          state: 'user_reviewing_narration',
          created_by: '100000000000000003',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const revision = await db
        .insertInto('page_revisions')
        .values({ page_id: page.id, kind: 'narration', version: 1, body: 'It glowed.', structured: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      revisionId = revision.id;
      await db.insertInto('votes').values({ revision_id: revisionId, user_id: '100000000000000003', choice: 'approve' }).execute();
    });

    it('rejects a second vote by the same user on the same revision', async () => {
      await expect(
        db.insertInto('votes').values({ revision_id: revisionId, user_id: '100000000000000003', choice: 'revise' }).execute(),
      ).rejects.toThrow(/votes_pkey/);
    });

    it('rejects a page in an unknown state', async () => {
      await expect(
        sql`insert into story_pages (chapter_id, number, input, state, created_by) values (${chapterId}, 2, 'x', 'daydreaming', 'u')`.execute(
          db,
        ),
      ).rejects.toThrow(/story_pages_state_check/);
    });

    it('rejects a second page with the same number in a chapter', async () => {
      await expect(
        db
          .insertInto('story_pages')
          .values({ chapter_id: chapterId, number: 1, input: 'again', state: 'awaiting_user_input', created_by: 'u' })
          .execute(),
      ).rejects.toThrow(/story_pages_chapter_number_unique/);
    });

    it('rejects a second revision with the same version number and take for a page and kind', async () => {
      const { page_id } = await db.selectFrom('page_revisions').select('page_id').where('id', '=', revisionId).executeTakeFirstOrThrow();
      await expect(
        db.insertInto('page_revisions').values({ page_id, kind: 'narration', version: 1, body: 'dup', structured: null }).execute(),
      ).rejects.toThrow(/page_revisions_page_kind_version_take_unique/);
    });

    it('rejects a vote on a revision that does not exist', async () => {
      await expect(db.insertInto('votes').values({ revision_id: 999_999, user_id: 'u', choice: 'approve' }).execute()).rejects.toThrow(
        /foreign key/,
      );
    });

    it('rejects an unknown vote choice and an unreadable quorum', async () => {
      await expect(sql`insert into votes (revision_id, user_id, choice) values (${revisionId}, 'x', 'maybe')`.execute(db)).rejects.toThrow(
        /votes_choice_check/,
      );
      await expect(sql`update stories set quorum = 'most'`.execute(db)).rejects.toThrow(/stories_quorum_check/);
    });
  });
});
