import { sql, type Kysely } from 'kysely';

// Lettered pages: each composition of a page's approved panels with its approved dialogue is a new
// version, kept with who asked for it (null: composed when the panels were approved). One version is
// open for the co-writers' approval at a time; a newer one supersedes it; the quorum approves it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lettered_pages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // The approved set of panels it letters (panel_set_approvals.set_version).
    .addColumn('set_version', 'bigint', (c) => c.notNull())
    .addColumn('image_hash', 'text', (c) => c.notNull().references('images.hash'))
    .addColumn('svg', 'text', (c) => c.notNull())
    .addColumn('layout', 'jsonb', (c) => c.notNull())
    // The lines the letterer could not fit, as the room is told them: [{ panel, line, problem, words }].
    .addColumn('flagged', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'approved', 'superseded')`),
    )
    .addColumn('created_by', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('lettered_pages_page_version', ['page_id', 'version'])
    .execute();

  await db.schema
    .createTable('lettered_page_votes')
    .addColumn('lettered_page_id', 'bigint', (c) => c.notNull().references('lettered_pages.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('lettered_page_votes_pkey', ['lettered_page_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lettered_page_votes').execute();
  await db.schema.dropTable('lettered_pages').execute();
}
