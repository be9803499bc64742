import type { Executor } from './executor.js';

/** Records that an interaction arrived: true the first time, false for a redelivery of the same one. */
export async function insertInteractionReceipt(db: Executor, interactionId: string): Promise<boolean> {
  const inserted = await db
    .insertInto('interaction_receipts')
    .values({ interaction_id: interactionId })
    .onConflict((oc) => oc.column('interaction_id').doNothing())
    .returning('interaction_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
