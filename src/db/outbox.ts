import { JOB_SCHEMAS, jobKeyFor, type JobData, type JobName } from '../domain/jobs.js';
import type { Executor } from './executor.js';

/**
 * Writes a job into the outbox inside the caller's transaction: it reaches Redis only if the
 * transition commits, and the relay delivers it even if this process dies right after the commit.
 */
export async function addToOutbox<N extends JobName>(db: Executor, name: N, data: JobData<N>, options: { runAt?: Date } = {}): Promise<string> {
  const payload = JOB_SCHEMAS[name].parse(data);
  const jobKey = jobKeyFor(name, data);
  await db
    .insertInto('outbox')
    .values({ job_name: name, job_key: jobKey, payload: JSON.stringify(payload), run_at: options.runAt ?? null })
    .onConflict((oc) => oc.column('job_key').doNothing())
    .execute();
  return jobKey;
}
