import { sql, type Kysely } from 'kysely';

// Takes: a round of review can show several takes of one draft (A, B, C…), all at the same version.
// - stories.takes: how many takes a round asks the model for (1–4); story_pages.takes overrides it for
//   one page (/page start takes:).
// - page_revisions.take: 0 is A. The round's first take is the page's current draft, and the votes of
//   the round are cast on it; votes.pick says which take an approving vote picked.
// - story_pages.takes_pending: Another take requests being written, counted against the round's six.
// - agent_execution_log.take: the take a model call wrote, for /usage per take.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table stories add column takes smallint not null default 1 check (takes between 1 and 4)`.execute(db);
  await sql`alter table story_pages add column takes smallint check (takes between 1 and 4)`.execute(db);
  await sql`alter table story_pages add column takes_pending smallint not null default 0 check (takes_pending between 0 and 6)`.execute(db);
  await sql`alter table page_revisions add column take smallint not null default 0 check (take between 0 and 5)`.execute(db);
  await sql`alter table page_revisions drop constraint page_revisions_page_kind_version_unique`.execute(db);
  await sql`alter table page_revisions add constraint page_revisions_page_kind_version_take_unique unique (page_id, kind, version, take)`.execute(
    db,
  );
  await sql`alter table votes add column pick smallint check (pick between 0 and 5)`.execute(db);
  await sql`alter table agent_execution_log add column take smallint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table agent_execution_log drop column take`.execute(db);
  await sql`alter table votes drop column pick`.execute(db);
  await sql`delete from page_revisions where take > 0`.execute(db);
  await sql`alter table page_revisions drop constraint page_revisions_page_kind_version_take_unique`.execute(db);
  await sql`alter table page_revisions add constraint page_revisions_page_kind_version_unique unique (page_id, kind, version)`.execute(db);
  await sql`alter table page_revisions drop column take`.execute(db);
  await sql`alter table story_pages drop column takes_pending`.execute(db);
  await sql`alter table story_pages drop column takes`.execute(db);
  await sql`alter table stories drop column takes`.execute(db);
}
