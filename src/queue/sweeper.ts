import { sql, type Transaction } from 'kysely';
import type { Job, Queue } from 'bullmq';
import type { Database } from '../db/database.js';
import type { Db } from '../db/connection.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import type { Logger } from '../logger.js';
import { failGeneration } from '../services/page-service.js';
import { jobKeyFor, type JobData, type JobName } from '../domain/jobs.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
// Any number for the advisory lock, as long as it is ours alone: only one sweeper runs at a time.
const SWEEP_LOCK = 7_310_001;

type Executor = Db | Transaction<Database>;

async function jobState(queue: Queue, jobKey: string): Promise<{ job: Job | undefined; state: string }> {
  const job = await queue.getJob(jobKey);
  return { job, state: job ? await job.getState() : 'missing' };
}

/** Puts a lost or dead job back through the outbox, under its deterministic key, to run at once. */
async function putBackInOutbox<N extends JobName>(db: Executor, job: Job | undefined, name: N, jobKey: string, data: JobData<N>): Promise<void> {
  if (job) await job.remove().catch(() => undefined);
  await db
    .insertInto('outbox')
    .values({ job_name: name, job_key: jobKey, payload: JSON.stringify(data) })
    .onConflict((oc) => oc.column('job_key').doUpdateSet({ relayed_at: null, run_at: null }))
    .execute();
}

/**
 * Queues a job again unless it is live, still waiting in the outbox, or (with `ranIsEnough`) already
 * ran; with `onlyIfScheduled`, only a job that was once written to the outbox counts as lost.
 * Returns the state the job was found in when it was queued again, else null.
 */
async function requeueIfLost<N extends JobName>(
  db: Db,
  queue: Queue,
  name: N,
  data: JobData<N>,
  rules: { ranIsEnough: boolean; onlyIfScheduled: boolean },
): Promise<string | null> {
  const jobKey = jobKeyFor(name, data);
  const { job, state } = await jobState(queue, jobKey);
  if (LIVE_STATES.has(state) || (rules.ranIsEnough && state === 'completed')) return null;
  const row = await db.selectFrom('outbox').select('relayed_at').where('job_key', '=', jobKey).executeTakeFirst();
  if (row && row.relayed_at === null) return null; // already on its way to Redis
  if (!row && rules.onlyIfScheduled) return null;
  await putBackInOutbox(db, job, name, jobKey, data);
  return state;
}

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
      const { job, state } = await jobState(queue, jobKey);
      if (LIVE_STATES.has(state)) continue;
      if (state === 'failed') {
        // The job died on its last attempt without recording the failure (a crash or an outage in between).
        await failGeneration(db, data, 'The draft could not be written after several attempts.');
        result.failed += 1;
        logger.warn({ pageId: page.id, jobId: jobKey }, 'sweeper: dead job, page marked failed');
        continue;
      }
      await putBackInOutbox(trx, job, 'generate-draft', jobKey, data);
      result.requeued += 1;
      logger.warn({ pageId: page.id, jobId: jobKey, jobState: state }, 'sweeper: generating page had no live job; queued again');
    }
    return result;
  });
}

/**
 * The backstop for review reminders and deadlines: an open draft whose deadline (or reminder) is past
 * but whose job is not in Redis (a flush, a lost delayed job) gets it queued again to run at once.
 */
export async function sweepOverdueReviews(db: Db, queue: Queue, logger: Logger, minuteMs: number, graceMs: number): Promise<number> {
  const drafts = await db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as r', 'r.id', 'p.current_revision_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['p.id as pageId', 'r.id as revisionId', 'r.created_at', 'r.reminded_at', 's.reminder_minutes', 's.deadline_minutes'])
    .where('p.state', 'in', ['user_reviewing_narration', 'user_reviewing_dialogue'])
    .where('r.status', '=', 'open')
    .where((eb) => eb.or([eb('s.deadline_minutes', 'is not', null), eb('s.reminder_minutes', 'is not', null)]))
    .execute();
  let requeued = 0;
  const now = Date.now();
  for (const draft of drafts) {
    const overdue = (minutes: number | null) => minutes !== null && draft.created_at.getTime() + minutes * minuteMs + graceMs < now;
    const due: ('review-reminder' | 'review-deadline')[] = [];
    if (draft.reminded_at === null && overdue(draft.reminder_minutes) && (draft.deadline_minutes === null || (draft.reminder_minutes ?? 0) < draft.deadline_minutes)) due.push('review-reminder');
    if (overdue(draft.deadline_minutes)) due.push('review-deadline');
    for (const name of due) {
      // Only jobs the draft was given (a setting changed later does not reach back), and a deadline job
      // that ran decided what it could: only a missing or dead one is queued again.
      const state = await requeueIfLost(db, queue, name, { pageId: draft.pageId, revisionId: draft.revisionId }, { ranIsEnough: true, onlyIfScheduled: true });
      if (state === null) continue;
      requeued += 1;
      logger.warn({ pageId: draft.pageId, revisionId: draft.revisionId, job: name, jobState: state }, 'sweeper: overdue review job was not queued; queued again');
    }
  }
  return requeued;
}

/**
 * A draft up for a vote must have its message (the only place to vote on it). When posting it failed
 * for good (Discord down through every attempt), the draft is queued to be shown again.
 */
export async function sweepUnshownDrafts(db: Db, queue: Queue, logger: Logger, olderThanMs: number): Promise<number> {
  const drafts = await db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as r', 'r.id', 'p.current_revision_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .select(['p.id as pageId', 'r.id as revisionId'])
    .where('p.state', 'in', ['user_reviewing_narration', 'user_reviewing_dialogue'])
    .where('r.status', '=', 'open')
    .where('c.status', '=', 'open')
    .where('r.created_at', '<', new Date(Date.now() - olderThanMs))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('discord_messages as m').select('m.id').whereRef('m.revision_id', '=', 'r.id').where('m.purpose', '=', 'draft'))))
    .execute();
  let requeued = 0;
  for (const draft of drafts) {
    // A post that completed and still left no message (deleted since) is worth another try.
    const state = await requeueIfLost(db, queue, 'post-draft', { pageId: draft.pageId, revisionId: draft.revisionId }, { ranIsEnough: false, onlyIfScheduled: false });
    if (state === null) continue;
    requeued += 1;
    logger.warn({ pageId: draft.pageId, revisionId: draft.revisionId, jobState: state }, 'sweeper: open draft had no message; showing it again');
  }
  return requeued;
}
