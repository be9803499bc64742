import { sql, type Kysely } from 'kysely';

// The sweeper prunes interaction receipts and finished outbox rows by age: these indexes keep that a
// range scan however large the tables have grown.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index interaction_receipts_received_at on interaction_receipts (received_at)`.execute(db);
  await sql`create index outbox_relayed_at on outbox (relayed_at) where relayed_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists outbox_relayed_at`.execute(db);
  await sql`drop index if exists interaction_receipts_received_at`.execute(db);
}
