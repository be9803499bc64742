import { sql, type Kysely } from 'kysely';

// The whole schema of the design. Discord ids are text (snowflakes exceed 2^53); our own ids are bigint identities.
// Migrations take Kysely<any> on purpose: they run against whatever the database was, not today's types.

const PAGE_STATES = [
  'awaiting_user_input',
  'generating_narration',
  'user_reviewing_narration',
  'generating_dialogue',
  'user_reviewing_dialogue',
  'page_approved',
  'generation_failed',
];
const oneOf = (column: string, values: string[]) => sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stories')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('quorum', 'text', (c) => c.notNull().defaultTo('majority'))
    .addColumn('max_revisions', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(5)
        .check(sql`max_revisions between 0 and 50`),
    )
    .addColumn('narrator_model', 'text')
    .addColumn('dialogue_model', 'text')
    .addColumn('tone_note', 'text')
    .addColumn('narration_words', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(250)
        .check(sql`narration_words between 20 and 800`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('stories_guild_channel_unique', ['guild_id', 'channel_id'])
    .addCheckConstraint('stories_quorum_check', sql`quorum in ('majority', 'all') or quorum ~ '^[1-9][0-9]?$'`)
    .execute();

  await db.schema
    .createTable('canonical_refs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('story_id', 'bigint', (c) => c.notNull().references('stories.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 100`))
    .addColumn('ref_type', 'text', (c) => c.notNull().check(oneOf('ref_type', ['character', 'location', 'rule', 'style', 'reference'])))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('keywords', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Replaced or removed entries keep their text: superseded_at marks them instead of a delete.
    .addColumn('superseded_at', 'timestamptz')
    .execute();
  await sql`create unique index canonical_refs_current_title on canonical_refs (story_id, lower(title)) where superseded_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('chapters')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('story_id', 'bigint', (c) => c.notNull().references('stories.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number > 0`))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 100`))
    .addColumn('thread_id', 'text', (c) => c.unique())
    .addColumn('card_message_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(oneOf('status', ['open', 'needs_attention', 'closed'])),
    )
    .addColumn('attention_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('chapters_story_number_unique', ['story_id', 'number'])
    .execute();

  await db.schema
    .createTable('chapter_members')
    .addColumn('chapter_id', 'bigint', (c) => c.notNull().references('chapters.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c
        .notNull()
        .defaultTo('writer')
        .check(oneOf('role', ['owner', 'writer', 'viewer'])),
    )
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('chapter_members_pkey', ['chapter_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('story_pages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('chapter_id', 'bigint', (c) => c.notNull().references('chapters.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number > 0`))
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', PAGE_STATES)))
    .addColumn('stage', 'text', (c) =>
      c
        .notNull()
        .defaultTo('narration')
        .check(oneOf('stage', ['narration', 'dialogue'])),
    )
    // Bumped by every transition: a click carrying an older version is stale.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('current_revision_id', 'bigint')
    .addColumn('approved_narration_id', 'bigint')
    .addColumn('approved_dialogue_id', 'bigint')
    .addColumn('failure_reason', 'text')
    .addColumn('generation_started_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('story_pages_chapter_number_unique', ['chapter_id', 'number'])
    .execute();
  await db.schema.createIndex('story_pages_state').on('story_pages').column('state').execute();

  await db.schema
    .createTable('page_revisions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['narration', 'dialogue'])))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('structured', 'jsonb')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(oneOf('status', ['open', 'approved', 'revision_requested', 'superseded'])),
    )
    // The job that drafted it: a job run twice finds its revision instead of writing a second one.
    .addColumn('generation_key', 'text', (c) => c.unique())
    .addColumn('restored_from_version', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addUniqueConstraint('page_revisions_page_kind_version_unique', ['page_id', 'kind', 'version'])
    .execute();

  await db.schema
    .alterTable('story_pages')
    .addForeignKeyConstraint('story_pages_current_revision_fk', ['current_revision_id'], 'page_revisions', ['id'])
    .execute();
  await db.schema
    .alterTable('story_pages')
    .addForeignKeyConstraint('story_pages_approved_narration_fk', ['approved_narration_id'], 'page_revisions', ['id'])
    .execute();
  await db.schema
    .alterTable('story_pages')
    .addForeignKeyConstraint('story_pages_approved_dialogue_fk', ['approved_dialogue_id'], 'page_revisions', ['id'])
    .execute();

  await db.schema
    .createTable('page_transitions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('from_state', 'text', (c) => c.check(oneOf('from_state', PAGE_STATES)))
    .addColumn('to_state', 'text', (c) => c.notNull().check(oneOf('to_state', PAGE_STATES)))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('page_version', 'integer', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('page_transitions_page').on('page_transitions').column('page_id').execute();

  await db.schema
    .createTable('user_feedback')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('revision_id', 'bigint', (c) => c.notNull().references('page_revisions.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(body) between 1 and 4000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('user_feedback_revision').on('user_feedback').column('revision_id').execute();

  await db.schema
    .createTable('votes')
    .addColumn('revision_id', 'bigint', (c) => c.notNull().references('page_revisions.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('choice', 'text', (c) => c.notNull().check(oneOf('choice', ['approve', 'revise'])))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('votes_pkey', ['revision_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('panel_prompts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('revision_id', 'bigint', (c) => c.notNull().references('page_revisions.id').onDelete('cascade'))
    .addColumn('panel_number', 'integer', (c) => c.notNull().check(sql`panel_number > 0`))
    .addColumn('scene', 'text', (c) => c.notNull())
    .addColumn('characters', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('camera', 'text', (c) => c.notNull())
    .addColumn('mood', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('negative_prompt', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('panel_prompts_revision_panel_unique', ['revision_id', 'panel_number'])
    .execute();

  await db.schema
    .createTable('agent_execution_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('story_id', 'bigint', (c) => c.references('stories.id').onDelete('cascade'))
    .addColumn('page_id', 'bigint', (c) => c.references('story_pages.id').onDelete('cascade'))
    .addColumn('agent', 'text', (c) => c.notNull().check(oneOf('agent', ['narrator', 'dialogue', 'reviewer', 'panels', 'summariser'])))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', sql`numeric(12, 6)`, (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(oneOf('outcome', ['ok', 'refused', 'malformed', 'length', 'timeout', 'rate_limited', 'error'])),
    )
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('agent_execution_log_story_time').on('agent_execution_log').columns(['story_id', 'created_at']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('job_name', 'text', (c) => c.notNull())
    // The BullMQ job id: deterministic, so a second relay of the same row queues nothing new.
    .addColumn('job_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('relayed_at', 'timestamptz')
    .addColumn('relay_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index outbox_pending on outbox (id) where relayed_at is null`.execute(db);

  await db.schema
    .createTable('discord_messages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) =>
      c.notNull().check(oneOf('purpose', ['chapter_card', 'page_card', 'draft', 'failure', 'page_summary', 'progress'])),
    )
    .addColumn('chapter_id', 'bigint', (c) => c.references('chapters.id').onDelete('cascade'))
    .addColumn('page_id', 'bigint', (c) => c.references('story_pages.id').onDelete('cascade'))
    .addColumn('revision_id', 'bigint', (c) => c.references('page_revisions.id').onDelete('cascade'))
    // A draft message exists before its revision does (it shows progress): the job's key finds it again.
    .addColumn('generation_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index discord_messages_one_per_generation on discord_messages (generation_key) where generation_key is not null`.execute(
    db,
  );
  // One draft message per revision: a repeated post finds the first one.
  await sql`create unique index discord_messages_one_per_revision on discord_messages (revision_id) where purpose = 'draft'`.execute(db);
  await sql`create unique index discord_messages_one_card_per_page on discord_messages (page_id) where purpose = 'page_card'`.execute(db);

  // The same interaction delivered twice is handled once.
  await db.schema
    .createTable('interaction_receipts')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`
    create view page_status_summary as
    select p.id as page_id, p.chapter_id, c.story_id, p.number, p.state, p.stage, p.version, p.updated_at,
           r.id as current_revision_id, r.kind as current_kind, r.version as current_version,
           (select count(*) from page_revisions pr where pr.page_id = p.id and pr.kind = 'narration')::int as narration_versions,
           (select count(*) from page_revisions pr where pr.page_id = p.id and pr.kind = 'dialogue')::int as dialogue_versions,
           coalesce((select count(*) from votes v where v.revision_id = r.id and v.choice = 'approve'), 0)::int as approvals,
           coalesce((select count(*) from votes v where v.revision_id = r.id and v.choice = 'revise'), 0)::int as revise_votes
    from story_pages p
    join chapters c on c.id = p.chapter_id
    left join page_revisions r on r.id = p.current_revision_id
  `.execute(db);

  await sql`
    create view chapter_progress as
    select c.id as chapter_id, c.story_id, c.number, c.title, c.status,
           count(p.id)::int as pages,
           count(p.id) filter (where p.state = 'page_approved')::int as approved_pages,
           count(p.id) filter (where p.state in ('user_reviewing_narration', 'user_reviewing_dialogue'))::int as pages_in_review,
           count(p.id) filter (where p.state in ('generating_narration', 'generating_dialogue'))::int as pages_generating,
           count(p.id) filter (where p.state = 'generation_failed')::int as pages_failed,
           (select count(*) from chapter_members m where m.chapter_id = c.id and m.role in ('owner', 'writer'))::int as co_writers
    from chapters c
    left join story_pages p on p.chapter_id = c.id
    group by c.id
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists chapter_progress`.execute(db);
  await sql`drop view if exists page_status_summary`.execute(db);
  for (const table of [
    'interaction_receipts',
    'discord_messages',
    'outbox',
    'agent_execution_log',
    'panel_prompts',
    'votes',
    'user_feedback',
    'page_transitions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`alter table story_pages drop constraint if exists story_pages_current_revision_fk, drop constraint if exists story_pages_approved_narration_fk, drop constraint if exists story_pages_approved_dialogue_fk`.execute(
    db,
  );
  for (const table of ['page_revisions', 'story_pages', 'chapter_members', 'chapters', 'canonical_refs', 'stories']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
