import { sql, type Kysely } from 'kysely';

// A version a co-writer wrote by hand (Edit) says who: it is shown as "edited by", and like a restored
// copy it does not use up the page's revisions.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table page_revisions add column edited_by text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table page_revisions drop column edited_by`.execute(db);
}
