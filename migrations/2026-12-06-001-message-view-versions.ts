import { sql, type Kysely } from 'kysely';

// A message shows a view of Postgres, and several writers may draw it at once (a render ending, its
// progress, a coalesced refresh). Each view takes a number from one sequence before it reads what it
// shows; the message row keeps the newest number claimed for an edit (view_version) and the newest
// that Discord answered (shown_version), so an older view is never sent after a newer one, and one
// that landed late is drawn again. attachments: the files the message carries now (id and name), so an
// edit keeps the unchanged ones by id instead of uploading them again. A panel render records the
// attempt on which ComfyUI could not be reached, so the panels message says so until it answers.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence discord_message_view_versions`.execute(db);
  await db.schema
    .alterTable('discord_messages')
    .addColumn('view_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('shown_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('attachments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.alterTable('panel_renders').addColumn('unreachable_attempt', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('panel_renders').dropColumn('unreachable_attempt').execute();
  await db.schema.alterTable('discord_messages').dropColumn('view_version').dropColumn('shown_version').dropColumn('attachments').execute();
  await sql`drop sequence discord_message_view_versions`.execute(db);
}
