import { sql, type Kysely } from 'kysely';

// How a story's pages are lettered: the page format (a comic page, a manga page read right to left, a
// vertical webtoon strip, a square) and the language of its text (BCP 47; 'und' when not set).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('stories')
    .addColumn('page_format', 'text', (c) =>
      c
        .notNull()
        .defaultTo('comic')
        .check(sql`page_format in ('comic', 'manga', 'webtoon', 'square')`),
    )
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('und'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stories').dropColumn('page_format').dropColumn('language').execute();
}
