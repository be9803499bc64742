import { JOB_SCHEMAS, jobKeyFor, type JobData, type JobName } from '../domain/jobs.js';
import type { OutboxRow } from './database.js';
import type { Executor } from './executor.js';

/** A job as written to the outbox: what the relay hands to BullMQ after the commit. */
export interface OutboxJob {
  name: JobName;
  key: string;
  payload: Record<string, unknown>;
  runAt: Date | null;
}

/**
 * Writes a job into the outbox inside the caller's transaction: it reaches Redis only if the
 * transition commits, and the relay delivers it even if this process dies right after the commit.
 */
export async function addToOutbox<N extends JobName>(db: Executor, name: N, data: JobData<N>, options: { runAt?: Date } = {}): Promise<OutboxJob> {
  const payload = JOB_SCHEMAS[name].parse(data) as Record<string, unknown>;
  const key = jobKeyFor(name, data);
  const runAt = options.runAt ?? null;
  await db
    .insertInto('outbox')
    .values({ job_name: name, job_key: key, payload: JSON.stringify(payload), run_at: runAt })
    .onConflict((oc) => oc.column('job_key').doNothing())
    .execute();
  return { name, key, payload, runAt };
}

/** Puts a lost or dead job back in the outbox under its key, to be relayed at once. */
export async function putBackInOutbox<N extends JobName>(db: Executor, name: N, data: JobData<N>): Promise<void> {
  const payload = JOB_SCHEMAS[name].parse(data);
  await db
    .insertInto('outbox')
    .values({ job_name: name, job_key: jobKeyFor(name, data), payload: JSON.stringify(payload) })
    .onConflict((oc) => oc.column('job_key').doUpdateSet({ relayed_at: null, run_at: null }))
    .execute();
}

/** Whether a job's row exists and has reached Redis (null: never written to the outbox). */
export async function getOutboxRelayState(db: Executor, jobKey: string): Promise<{ relayed: boolean } | null> {
  const row = await db.selectFrom('outbox').select('relayed_at').where('job_key', '=', jobKey).executeTakeFirst();
  return row ? { relayed: row.relayed_at !== null } : null;
}

/** Rows not yet relayed, locked so that relays in other processes skip them. */
export function claimPendingOutboxRows(db: Executor, limit: number): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('relayed_at', 'is', null).orderBy('id').limit(limit).forUpdate().skipLocked().execute();
}

export async function markOutboxRowsRelayed(db: Executor, where: { ids: number[] } | { keys: string[] }): Promise<void> {
  const query = db.updateTable('outbox').set({ relayed_at: new Date() }).where('relayed_at', 'is', null);
  if ('ids' in where) {
    if (where.ids.length > 0) await query.where('id', 'in', where.ids).execute();
  } else if (where.keys.length > 0) {
    await query.where('job_key', 'in', where.keys).execute();
  }
}

export async function recordOutboxRelayFailure(db: Executor, outboxId: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ relay_attempts: eb('relay_attempts', '+', 1), last_error: error }))
    .where('id', '=', outboxId)
    .execute();
}
