import { sql, type Kysely } from 'kysely';

// An outbox row now records when its job ran to an end, not only when it was handed to Redis: a job
// Redis lost after the hand-over (a flush, a restart without persistence) is found by the sweeper
// and queued again. Rows relayed before this migration count as finished.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table outbox add column completed_at timestamptz`.execute(db);
  await sql`update outbox set completed_at = relayed_at where relayed_at is not null`.execute(db);
  await sql`create index outbox_unfinished on outbox (relayed_at) where completed_at is null and relayed_at is not null`.execute(db);
  await sql`create index outbox_completed_at on outbox (completed_at) where completed_at is not null`.execute(db);
  // Pruning now keys on completion, not on the hand-over.
  await sql`drop index if exists outbox_relayed_at`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists outbox_relayed_at on outbox (relayed_at) where relayed_at is not null`.execute(db);
  await sql`drop index if exists outbox_completed_at`.execute(db);
  await sql`drop index if exists outbox_unfinished`.execute(db);
  await sql`alter table outbox drop column completed_at`.execute(db);
}
