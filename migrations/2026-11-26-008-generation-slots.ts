import { sql, type Kysely } from 'kysely';

// A server writes at most MAX_GENERATIONS_PER_GUILD drafts at once. A page generating holds one of its
// server's slots when `slot_version` equals its `version`: every transition bumps the version, so the
// slot frees itself when the draft is recorded, fails or is cancelled, with no release step to forget.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table story_pages add column slot_version integer`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table story_pages drop column slot_version`.execute(db);
}
