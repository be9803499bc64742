import { sql, type Kysely } from 'kysely';

// Rendered panel images. Bytes live in Postgres, addressed by their SHA-256 (works across machines
// with nothing more to run; an object store can take over behind the same interface). A render row
// holds everything that made the image, and ComfyUI's prompt id is written before the prompt is sent,
// so a worker that dies mid-render finds the same render again instead of sending it twice.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('hash', 'text', (c) => c.primaryKey().check(sql`hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull().check(sql`width > 0`))
    .addColumn('height', 'integer', (c) => c.notNull().check(sql`height > 0`))
    .addColumn('byte_size', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('panel_renders')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('story_pages.id').onDelete('cascade'))
    .addColumn('panel_prompt_id', 'bigint', (c) => c.notNull().references('panel_prompts.id').onDelete('cascade'))
    .addColumn('panel_number', 'integer', (c) => c.notNull().check(sql`panel_number > 0`))
    .addColumn('render_number', 'integer', (c) => c.notNull().check(sql`render_number > 0`))
    // Below 2^53 so JavaScript numbers hold it exactly.
    .addColumn('seed', 'bigint', (c) => c.notNull().check(sql`seed between 0 and 9007199254740991`))
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('negative_prompt', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('workflow_hash', 'text', (c) => c.notNull())
    .addColumn('comfy_prompt_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'submitted', 'done', 'failed')`),
    )
    .addColumn('failure', 'text')
    .addColumn('image_hash', 'text', (c) => c.references('images.hash'))
    .addColumn('requested_by', 'text')
    .addColumn('discord_message_id', 'text')
    .addColumn('discord_attachment_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('panel_renders_panel_render_number', ['panel_prompt_id', 'render_number'])
    .addCheckConstraint('panel_renders_done_has_image', sql`status <> 'done' or image_hash is not null`)
    .execute();
  await sql`create index panel_renders_page on panel_renders (page_id, panel_number, render_number)`.execute(db);
  // One "Page N · Panels" message per page, showing its latest renders.
  await sql`alter table discord_messages drop constraint discord_messages_purpose_check`.execute(db);
  await sql`alter table discord_messages add constraint discord_messages_purpose_check check (purpose in ('chapter_card', 'page_card', 'draft', 'failure', 'page_summary', 'progress', 'reminder', 'notice', 'panels'))`.execute(
    db,
  );
  await sql`create unique index discord_messages_one_panels_per_page on discord_messages (page_id) where purpose = 'panels'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index discord_messages_one_panels_per_page`.execute(db);
  await sql`delete from discord_messages where purpose = 'panels'`.execute(db);
  await sql`alter table discord_messages drop constraint discord_messages_purpose_check`.execute(db);
  await sql`alter table discord_messages add constraint discord_messages_purpose_check check (purpose in ('chapter_card', 'page_card', 'draft', 'failure', 'page_summary', 'progress', 'reminder', 'notice'))`.execute(
    db,
  );
  await db.schema.dropTable('panel_renders').execute();
  await db.schema.dropTable('images').execute();
}
