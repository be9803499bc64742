import { sql } from 'kysely';
import type { Queue } from 'bullmq';
import type { Db } from '../db/connection.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import type { Logger } from '../logger.js';
import { failGeneration } from '../services/page-service.js';
import { jobKeyFor } from './jobs.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
// Any number for the advisory lock, as long as it is ours alone: only one sweeper runs at a time.
const SWEEP_LOCK = 7_310_001;

export interface SweepResult {
  requeued: number;
  failed: number;
}

/**
 * Finds pages that say they are generating but whose job is gone (Redis flushed, a job lost) or
 * dead, and puts them back on the queue through the outbox, or marks them failed so a co-writer
 * can press Retry. A timer drives it rather than a BullMQ scheduler, which a Redis flush would erase.
 */
export async function sweepStuckPages(db: Db, queue: Queue, logger: Logger, olderThanMs: number): Promise<SweepResult> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as locked`.execute(trx);
    if (!rows[0]?.locked) return { requeued: 0, failed: 0 };
    const pages = await trx
      .selectFrom('story_pages')
      .select(['id', 'stage', 'version'])
      .where('state', 'in', ['generating_narration', 'generating_dialogue'])
      .where('generation_started_at', '<', new Date(Date.now() - olderThanMs))
      .execute();
    const result: SweepResult = { requeued: 0, failed: 0 };
    for (const page of pages) {
      const data = { pageId: page.id, kind: page.stage as DraftKind, pageVersion: page.version };
      const jobKey = jobKeyFor('generate-draft', data);
      const job = await queue.getJob(jobKey);
      const state = job ? await job.getState() : 'missing';
      if (LIVE_STATES.has(state)) continue;
      if (state === 'failed') {
        // The job died on its last attempt without recording the failure (a crash or an outage in between).
        await failGeneration(db, data, 'The draft could not be written after several attempts.');
        result.failed += 1;
        logger.warn({ pageId: page.id, jobId: jobKey }, 'sweeper: dead job, page marked failed');
        continue;
      }
      if (job) await job.remove().catch(() => undefined);
      await trx
        .insertInto('outbox')
        .values({ job_name: 'generate-draft', job_key: jobKey, payload: JSON.stringify(data) })
        .onConflict((oc) => oc.column('job_key').doUpdateSet({ relayed_at: null }))
        .execute();
      result.requeued += 1;
      logger.warn({ pageId: page.id, jobId: jobKey, jobState: state }, 'sweeper: generating page had no live job; queued again');
    }
    return result;
  });
}
