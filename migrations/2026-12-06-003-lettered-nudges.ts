import { sql, type Kysely } from 'kysely';

// A lettered version made by a co-writer's nudge keeps the speakers' places of the version it nudged
// (its variant) and carries every nudge made since the last Re-letter, so it composes the same again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('lettered_pages')
    .addColumn('variant', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('nudges', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  // Before nudges each version took the places of its own number.
  await sql`update lettered_pages set variant = version`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lettered_pages').dropColumn('variant').dropColumn('nudges').execute();
}
