import { sql, type Kysely } from 'kysely';

// Each story chooses its panels' shape and size in /settings; today's portrait panels stay the default.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table stories add column panel_shape text not null default 'portrait' check (panel_shape in ('portrait', 'square', 'landscape', 'tall', 'wide'))`.execute(
    db,
  );
  await sql`alter table stories add column panel_size text not null default 'standard' check (panel_size in ('standard', 'small'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table stories drop column panel_size`.execute(db);
  await sql`alter table stories drop column panel_shape`.execute(db);
}
