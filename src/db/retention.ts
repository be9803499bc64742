import type { Executor } from './executor.js';

// What is kept only for a while: receipts that catch a redelivered interaction (Discord redelivers
// within minutes) and outbox rows whose job was handed over long ago. Deleted in batches, so one
// sweep never holds many row locks.
const BATCH = 5_000;

export async function pruneInteractionReceipts(db: Executor, receivedBefore: Date): Promise<number> {
  const result = await db
    .deleteFrom('interaction_receipts')
    .where('interaction_id', 'in', (eb) =>
      eb.selectFrom('interaction_receipts').select('interaction_id').where('received_at', '<', receivedBefore).limit(BATCH),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Outbox rows whose job finished before `before` (and whose delayed run time, if any, is also before it). */
export async function pruneFinishedOutboxRows(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('completed_at', '<', before)
        .where((w) => w.or([w('run_at', 'is', null), w('run_at', '<', before)]))
        .limit(BATCH),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Claims on messages never recorded (their job gave up or the page moved on) older than `before`. */
export async function pruneStaleMessageClaims(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('discord_message_claims').where('claimed_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
