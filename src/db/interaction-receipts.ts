import { CompiledQuery, sql } from 'kysely';
import type { Executor } from './executor.js';

/**
 * What a process keeps with the receipt so that another can finish the interaction if it dies: the
 * gateway payload (without the token), the token, and who holds it until when.
 */
export interface InboxRecord {
  payload: string;
  token: string;
  owner: string;
  leaseMs: number;
}

/**
 * Records that an interaction arrived, in one statement with what is needed to finish it (null:
 * nothing to finish after a crash): true the first time, false for a redelivery of the same one.
 */
export async function insertInteractionReceipt(db: Executor, interactionId: string, inbox: InboxRecord | null = null): Promise<boolean> {
  const inserted = await db
    .insertInto('interaction_receipts')
    .values(
      inbox
        ? {
            interaction_id: interactionId,
            payload: inbox.payload,
            token: inbox.token,
            owner: inbox.owner,
            lease_until: sql<Date>`now() + ${inbox.leaseMs} * interval '1 millisecond'`,
          }
        : { interaction_id: interactionId },
    )
    .onConflict((oc) => oc.column('interaction_id').doNothing())
    .returning('interaction_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The statement that records, inside the effects' own transaction, that they committed; no row: another process holds it or committed first. */
export function markInteractionCommittedQuery(interactionId: string, owner: string): CompiledQuery {
  return CompiledQuery.raw(
    'update interaction_receipts set committed_at = now() where interaction_id = $1 and owner = $2 and committed_at is null',
    [interactionId, owner],
  );
}

/** Keeps the answer before it is delivered, so it can be delivered again (null: it cannot be kept, e.g. a file). */
export async function keepInteractionReply(db: Executor, interactionId: string, reply: unknown): Promise<void> {
  await db
    .updateTable('interaction_receipts')
    .set({ reply: reply === null ? null : JSON.stringify(reply) })
    .where('interaction_id', '=', interactionId)
    .execute();
}

/** The answer was delivered (or never can be): nothing left to finish, and the token is forgotten. */
export async function completeInteraction(db: Executor, interactionId: string): Promise<void> {
  await db
    .updateTable('interaction_receipts')
    .set({ completed_at: sql<Date>`now()`, payload: null, token: null, reply: null, lease_until: null })
    .where('interaction_id', '=', interactionId)
    .execute();
}

/** Keeps holding the interactions this process is still handling. */
export async function renewInteractionLeases(
  db: Executor,
  owner: string,
  interactionIds: readonly string[],
  leaseMs: number,
): Promise<void> {
  if (interactionIds.length === 0) return;
  await db
    .updateTable('interaction_receipts')
    .set({ lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('interaction_id', 'in', interactionIds)
    .where('owner', '=', owner)
    .where('completed_at', 'is', null)
    .execute();
}

export interface UnfinishedInteraction {
  interactionId: string;
  payload: Record<string, unknown>;
  token: string;
  attempts: number;
  committed: boolean;
  reply: unknown;
}

/**
 * Takes over up to `limit` interactions another process acknowledged and never finished: those whose
 * lease ran out (their process died, or stopped renewing it) and whose token is still good for at
 * least `tokenMarginMs`, never one of `excluding` (still being handled here). Each is leased to
 * `owner`, so only one process finishes it.
 */
export async function claimUnfinishedInteractions(
  db: Executor,
  claim: { owner: string; leaseMs: number; tokenLifetimeMs: number; tokenMarginMs: number; limit: number; excluding: readonly string[] },
): Promise<UnfinishedInteraction[]> {
  const rows = await db
    .updateTable('interaction_receipts')
    .set((eb) => ({
      owner: claim.owner,
      lease_until: sql<Date>`now() + ${claim.leaseMs} * interval '1 millisecond'`,
      attempts: eb('attempts', '+', 1),
    }))
    .where('interaction_id', 'in', (eb) =>
      eb
        .selectFrom('interaction_receipts')
        .select('interaction_id')
        .where('completed_at', 'is', null)
        .where('payload', 'is not', null)
        .where('lease_until', '<', sql<Date>`now()`)
        .where('received_at', '>', sql<Date>`now() - ${claim.tokenLifetimeMs - claim.tokenMarginMs} * interval '1 millisecond'`)
        .$if(claim.excluding.length > 0, (qb) => qb.where('interaction_id', 'not in', claim.excluding))
        .orderBy('received_at')
        .limit(claim.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['interaction_id', 'payload', 'token', 'attempts', 'committed_at', 'reply'])
    .execute();
  return rows.flatMap((row) =>
    row.payload && row.token
      ? [
          {
            interactionId: row.interaction_id,
            payload: JSON.parse(row.payload) as Record<string, unknown>,
            token: row.token,
            attempts: row.attempts,
            committed: row.committed_at !== null,
            reply: row.reply === null ? null : (JSON.parse(row.reply) as unknown),
          },
        ]
      : [],
  );
}

/** Unfinished interactions whose token has run out: nothing can answer them any more. */
export async function abandonExpiredInteractions(db: Executor, tokenLifetimeMs: number): Promise<number> {
  const result = await db
    .updateTable('interaction_receipts')
    .set({ completed_at: sql<Date>`now()`, payload: null, token: null, reply: null, lease_until: null })
    .where('completed_at', 'is', null)
    .where('payload', 'is not', null)
    .where('lease_until', '<', sql<Date>`now()`)
    .where('received_at', '<=', sql<Date>`now() - ${tokenLifetimeMs} * interval '1 millisecond'`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
