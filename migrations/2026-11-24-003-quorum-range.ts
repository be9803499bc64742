import { sql, type Kysely } from 'kysely';

// A counted quorum may be 1–999, as the voting rules read it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table stories drop constraint stories_quorum_check`.execute(db);
  await sql`alter table stories add constraint stories_quorum_check check (quorum in ('majority', 'all') or quorum ~ '^[1-9][0-9]{0,2}$')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table stories drop constraint stories_quorum_check`.execute(db);
  await sql`alter table stories add constraint stories_quorum_check check (quorum in ('majority', 'all') or quorum ~ '^[1-9][0-9]?$')`.execute(
    db,
  );
}
