import { sql, type Kysely } from 'kysely';

// Review deadlines and reminders, a monthly budget, and the continuity reviewer's notes on drafts.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('stories')
    // Minutes after a draft is posted: remind who has not voted; at the deadline, decide by the votes cast.
    .addColumn('reminder_minutes', 'integer', (c) => c.check(sql`reminder_minutes between 1 and 43200`))
    .addColumn('deadline_minutes', 'integer', (c) => c.check(sql`deadline_minutes between 1 and 43200`))
    .addColumn('deadline_rule', 'text', (c) =>
      c
        .notNull()
        .defaultTo('approve_on_tie')
        .check(sql`deadline_rule in ('approve_on_tie', 'revise_on_tie')`),
    )
    .addColumn('monthly_budget_usd', sql`numeric(12, 2)`, (c) => c.check(sql`monthly_budget_usd > 0`))
    .execute();
  await db.schema
    .alterTable('page_revisions')
    // Null until the reviewer has read the draft; an empty list means it found nothing to note.
    .addColumn('review_notes', 'jsonb')
    .addColumn('reminded_at', 'timestamptz')
    .execute();
  // A job that should run later (a reminder, a deadline): the relay queues it with the remaining delay.
  await db.schema.alterTable('outbox').addColumn('run_at', 'timestamptz').execute();
  await sql`alter table discord_messages drop constraint discord_messages_purpose_check`.execute(db);
  await sql`alter table discord_messages add constraint discord_messages_purpose_check check (purpose in ('chapter_card', 'page_card', 'draft', 'failure', 'page_summary', 'progress', 'reminder', 'notice'))`.execute(
    db,
  );
  await sql`create unique index discord_messages_one_progress_per_chapter on discord_messages (chapter_id) where purpose = 'progress'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists discord_messages_one_progress_per_chapter`.execute(db);
  await sql`delete from discord_messages where purpose in ('reminder', 'notice')`.execute(db);
  await sql`alter table discord_messages drop constraint discord_messages_purpose_check`.execute(db);
  await sql`alter table discord_messages add constraint discord_messages_purpose_check check (purpose in ('chapter_card', 'page_card', 'draft', 'failure', 'page_summary', 'progress'))`.execute(
    db,
  );
  await db.schema.alterTable('outbox').dropColumn('run_at').execute();
  await db.schema.alterTable('page_revisions').dropColumn('review_notes').dropColumn('reminded_at').execute();
  await db.schema
    .alterTable('stories')
    .dropColumn('reminder_minutes')
    .dropColumn('deadline_minutes')
    .dropColumn('deadline_rule')
    .dropColumn('monthly_budget_usd')
    .execute();
}
