import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { JOB_SCHEMAS, jobKeyFor, type JobData, type JobName } from './jobs.js';

/**
 * Writes a job into the outbox inside the caller's transaction: it reaches Redis only if the
 * transition commits, and the relay delivers it even if this process dies right after the commit.
 */
export async function addToOutbox<N extends JobName>(
  trx: Transaction<Database> | Kysely<Database>,
  name: N,
  data: JobData<N>,
  options: { runAt?: Date } = {},
): Promise<string> {
  const payload = JOB_SCHEMAS[name].parse(data);
  const jobKey = jobKeyFor(name, data);
  await trx
    .insertInto('outbox')
    .values({ job_name: name, job_key: jobKey, payload: JSON.stringify(payload), run_at: options.runAt ?? null })
    .onConflict((oc) => oc.column('job_key').doNothing())
    .execute();
  return jobKey;
}
