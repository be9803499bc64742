import type { Job } from 'bullmq';
import type { JobAttempt } from '../services/agent-calls.js';

/** Which run of its job this is, as the use cases a processor calls are told it. */
export function attemptOf(job: Job, key?: string): JobAttempt {
  return { jobId: key ?? job.id ?? null, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 };
}
