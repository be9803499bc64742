import { sql, type Kysely } from 'kysely';

// A member an owner removed from a chapter: Join refuses them until an owner adds them again (which
// deletes the row). Without it, removal lasted only until the removed member pressed Join.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chapter_member_removals')
    .addColumn('chapter_id', 'bigint', (c) => c.notNull().references('chapters.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('removed_by', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('chapter_member_removals_pkey', ['chapter_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chapter_member_removals').execute();
}
