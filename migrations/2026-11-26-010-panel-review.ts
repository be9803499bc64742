import { sql, type Kysely } from 'kysely';

// Reviewing a page's panels in the thread: prompt changes kept with who made them, the co-writers'
// approvals of the set (each for one version of the set: a new render makes a new version, so earlier
// approvals stop counting), the set's approval, why a render failed (whether a Retry can help), and
// what a render costs toward the story's budget.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('panel_prompt_edits')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('panel_prompt_id', 'bigint', (c) => c.notNull().references('panel_prompts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('old_prompt', 'text', (c) => c.notNull())
    .addColumn('new_prompt', 'text', (c) => c.notNull())
    // The render the change queued.
    .addColumn('render_id', 'bigint', (c) => c.notNull().references('panel_renders.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index panel_prompt_edits_panel on panel_prompt_edits (panel_prompt_id, id)`.execute(db);

  await db.schema
    .createTable('panel_set_votes')
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    // The set's version when the vote was cast: the highest render id among the page's renders.
    .addColumn('set_version', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('panel_set_votes_pkey', ['page_id', 'set_version', 'user_id'])
    .execute();

  // Per version: a page reopened (a restored dialogue) gets new panels and a new vote.
  await db.schema
    .createTable('panel_set_approvals')
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('set_version', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('panel_set_approvals_pkey', ['page_id', 'set_version'])
    .execute();

  await db.schema
    .alterTable('panel_renders')
    .addColumn('approved', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .alterTable('panel_renders')
    .addColumn('failure_kind', 'text', (c) =>
      c.check(sql`failure_kind in ('unreachable', 'refused', 'error', 'interrupted', 'timeout', 'lost', 'no_image', 'off')`),
    )
    .execute();
  // What the render counts toward the story's monthly budget, at the price set when it was asked for.
  await db.schema
    .alterTable('panel_renders')
    .addColumn('cost_usd', sql`numeric(12, 6)`, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`cost_usd >= 0`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('panel_renders').dropColumn('cost_usd').execute();
  await db.schema.alterTable('panel_renders').dropColumn('failure_kind').execute();
  await db.schema.alterTable('panel_renders').dropColumn('approved').execute();
  await db.schema.dropTable('panel_set_approvals').execute();
  await db.schema.dropTable('panel_set_votes').execute();
  await db.schema.dropTable('panel_prompt_edits').execute();
}
