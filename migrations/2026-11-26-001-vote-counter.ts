import { sql, type Kysely } from 'kysely';

// Every vote on a page bumps this counter on the page row. A vote taken in one statement compares it
// with the value in its own snapshot: if they differ, another vote committed while it waited for the
// row, its tally is stale, and the vote is taken again under the lock.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table story_pages add column votes_cast integer not null default 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table story_pages drop column votes_cast`.execute(db);
}
