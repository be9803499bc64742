import { describeJob, type JobData, type JobName, type OutboxJob } from '../domain/jobs.js';
import type { OutboxRow } from './database.js';
import type { Executor } from './executor.js';
import { collectOutboxJobs } from './unit-of-work.js';

export type { OutboxJob };

/**
 * Writes jobs into the outbox inside the caller's transaction, in one statement: they reach Redis
 * only if the transition commits, and the relay delivers them even if this process dies right after
 * the commit. A key already in the outbox is left as it is (the job was asked for before). Inside a
 * unit of work (runInTransaction) the jobs are handed to BullMQ as soon as it commits.
 */
export async function writeToOutbox(db: Executor, jobs: readonly OutboxJob[]): Promise<readonly OutboxJob[]> {
  if (jobs.length === 0) return jobs;
  collectOutboxJobs(db, jobs);
  await db
    .insertInto('outbox')
    .values(jobs.map((job) => ({ job_name: job.name, job_key: job.key, payload: JSON.stringify(job.payload), run_at: job.runAt })))
    .onConflict((oc) => oc.column('job_key').doNothing())
    .execute();
  return jobs;
}

/** One job into the outbox (see writeToOutbox). */
export async function addToOutbox<N extends JobName>(
  db: Executor,
  name: N,
  data: JobData<N>,
  options: { runAt?: Date } = {},
): Promise<OutboxJob> {
  const job = describeJob(name, data, options);
  await writeToOutbox(db, [job]);
  return job;
}

/** Puts a lost or dead job back in the outbox under its key, to be relayed at once. */
export async function putBackInOutbox<N extends JobName>(db: Executor, name: N, data: JobData<N>): Promise<void> {
  const job = describeJob(name, data);
  await db
    .insertInto('outbox')
    .values({ job_name: job.name, job_key: job.key, payload: JSON.stringify(job.payload) })
    .onConflict((oc) => oc.column('job_key').doUpdateSet({ relayed_at: null, run_at: null, completed_at: null }))
    .execute();
}

/** Whether a job's row exists and has reached Redis (null: never written to the outbox). */
export async function getOutboxRelayState(db: Executor, jobKey: string): Promise<{ relayed: boolean } | null> {
  const row = await db.selectFrom('outbox').select('relayed_at').where('job_key', '=', jobKey).executeTakeFirst();
  return row ? { relayed: row.relayed_at !== null } : null;
}

/** The payload a job was written to the outbox with (undefined: never written). */
export async function findOutboxPayload(db: Executor, jobKey: string): Promise<unknown> {
  const row = await db.selectFrom('outbox').select('payload').where('job_key', '=', jobKey).executeTakeFirst();
  return row?.payload;
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

/** Records that a job ran to an end (completed, or failed for good): the sweeper stops watching it. */
export async function markOutboxJobCompleted(db: Executor, jobKey: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ completed_at: new Date() })
    .where('job_key', '=', jobKey)
    .where('completed_at', 'is', null)
    .execute();
}

/** Jobs handed to Redis before `relayedBefore` (and due by then) that have not run to an end. */
export function listUnfinishedRelayedJobs(db: Executor, relayedBefore: Date, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['job_name', 'job_key', 'payload'])
    .where('completed_at', 'is', null)
    .where('relayed_at', '<', relayedBefore)
    .where((eb) => eb.or([eb('run_at', 'is', null), eb('run_at', '<', relayedBefore)]))
    .orderBy('relayed_at')
    .limit(limit)
    .execute();
}

/** Hands a row to the relay again, as it was written (its payload and key), to run at once. */
export async function requeueOutboxRow(db: Executor, jobKey: string): Promise<void> {
  await db.updateTable('outbox').set({ relayed_at: null, run_at: null, completed_at: null }).where('job_key', '=', jobKey).execute();
}
