import { sql, type Kysely } from 'kysely';

// The sweeper prunes interaction receipts by age: this index keeps that a range scan however large the
// table has grown (finished outbox rows: see the outbox completion migration).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index interaction_receipts_received_at on interaction_receipts (received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists interaction_receipts_received_at`.execute(db);
}
