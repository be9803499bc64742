import { sql, type Kysely } from 'kysely';

// Publishing a story on the web reader: the link is PUBLIC_URL/<slug>-<token>. The token is the
// secret; unpublishing clears it (the link 404s) and publishing again draws a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('stories')
    .addColumn('public_slug', 'text')
    .addColumn('public_token', 'text', (c) => c.unique())
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .execute();
  await sql`alter table stories add constraint stories_publication_whole check ((public_token is null) = (public_slug is null) and (public_token is null) = (published_at is null))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stories').dropConstraint('stories_publication_whole').execute();
  await db.schema
    .alterTable('stories')
    .dropColumn('public_slug')
    .dropColumn('public_token')
    .dropColumn('published_at')
    .dropColumn('published_by')
    .execute();
}
