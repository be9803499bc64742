import { sql, type Kysely } from 'kysely';

// Reference images: up to four per bible character (keyed by the entry's title, lower-cased, so a
// replaced entry keeps them) and one style reference per story, stored by hash in `images`. Removing
// one marks it removed (who and when); nothing is deleted. Each render records which reference went
// into which slot of the workflow, so a retry and the export repeat it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reference_images')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('story_id', 'bigint', (c) => c.notNull().references('stories.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('character')
        .check(sql`kind in ('character', 'style')`),
    )
    // lower(title) of the bible entry; '' for the story's style reference.
    .addColumn('character_key', 'text', (c) => c.notNull())
    .addColumn('character_name', 'text', (c) => c.notNull())
    .addColumn('image_hash', 'text', (c) => c.notNull().references('images.hash'))
    // Where it came from: an uploaded file, or a rendered panel (its render).
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('upload', 'panel')`))
    .addColumn('render_id', 'bigint', (c) => c.references('panel_renders.id').onDelete('set null'))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_by', 'text')
    .addColumn('removed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('reference_images_in_use')
    .on('reference_images')
    .columns(['story_id', 'character_key', 'id'])
    .where(sql.ref('removed_at'), 'is', null)
    .execute();

  // [{ slot, kind, character, referenceId, imageHash }] in slot order; [] for a render without references.
  await db.schema
    .alterTable('panel_renders')
    .addColumn('references', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('panel_renders').dropColumn('references').execute();
  await db.schema.dropTable('reference_images').execute();
}
