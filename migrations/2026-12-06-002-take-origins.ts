import { type Kysely } from 'kysely';

// Where a take came from and how it was billed: a take made by editing another take names that take
// (0 is A), and a model call that shared one request with an earlier take (`n` choices) is marked so
// that /usage counts requests as the provider bills them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('page_revisions').addColumn('edited_from_take', 'integer').execute();
  await db.schema
    .alterTable('agent_execution_log')
    .addColumn('shares_request', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agent_execution_log').dropColumn('shares_request').execute();
  await db.schema.alterTable('page_revisions').dropColumn('edited_from_take').execute();
}
