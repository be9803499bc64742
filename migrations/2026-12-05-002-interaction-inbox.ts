import { sql, type Kysely } from 'kysely';

// The interaction inbox: a receipt keeps what is needed to finish its interaction if the process that
// acknowledged it dies (another process finishes it while the token is valid, 15 minutes).
// - payload: the interaction as the gateway delivered it, without its token, as JSON text (null:
//   nothing to finish, e.g. a button answered by opening a form); text, not jsonb, because jsonb
//   refuses \u0000 and members can type one; token: the interaction's webhook token.
// - owner / lease_until: the process finishing it; it renews the lease while it works, so another
//   process takes over only once the lease has run out.
// - committed_at: written in the same transaction (or statement) as the interaction's effects.
// - reply: what the handler answered (JSON text), kept before it is delivered so it can be delivered again.
// - completed_at: the answer was delivered (or could not be); payload and token are then cleared.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table interaction_receipts
    add column payload text,
    add column token text,
    add column owner text,
    add column lease_until timestamptz,
    add column attempts smallint not null default 0,
    add column committed_at timestamptz,
    add column reply text,
    add column completed_at timestamptz`.execute(db);
  // Only the unfinished few are ever looked for.
  await sql`create index interaction_receipts_unfinished on interaction_receipts (lease_until) where completed_at is null and payload is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists interaction_receipts_unfinished`.execute(db);
  await sql`alter table interaction_receipts
    drop column payload, drop column token, drop column owner, drop column lease_until,
    drop column attempts, drop column committed_at, drop column reply, drop column completed_at`.execute(db);
}
