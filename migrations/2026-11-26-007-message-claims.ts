import { sql, type Kysely } from 'kysely';

// A message about to be posted is claimed first, with the nonce it is posted with: the post happens
// with no transaction open, and a post whose recording failed is found again by its nonce (Discord
// returns the message already posted with an enforced nonce instead of a second one).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('discord_message_claims')
    .addColumn('target', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('discord_message_claims').execute();
}
