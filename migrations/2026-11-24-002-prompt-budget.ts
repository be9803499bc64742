import { sql, type Kysely } from 'kysely';

// What a token-budgeted prompt needs: a rolling chapter summary, the size of each bible entry (counted
// once when it is added, not on every prompt), lorebook flags, and a record of what each prompt used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('chapters')
    .addColumn('summary', 'text')
    .addColumn('summary_through_page', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('canonical_refs')
    .addColumn('token_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('always_include', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.alterTable('page_revisions').addColumn('prompt_context', 'jsonb').execute();
  await db.schema
    .alterTable('agent_execution_log')
    .addColumn('chapter_id', 'bigint', (c) => c.references('chapters.id').onDelete('cascade'))
    .execute();
  await sql`create index story_pages_chapter_state_number on story_pages (chapter_id, state, number)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists story_pages_chapter_state_number`.execute(db);
  await db.schema.alterTable('agent_execution_log').dropColumn('chapter_id').execute();
  await db.schema.alterTable('page_revisions').dropColumn('prompt_context').execute();
  await db.schema.alterTable('canonical_refs').dropColumn('token_count').dropColumn('always_include').execute();
  await db.schema.alterTable('chapters').dropColumn('summary').dropColumn('summary_through_page').execute();
}
