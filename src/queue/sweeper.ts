import type { Job, Queue } from 'bullmq';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import { getOutboxRelayState, listUnfinishedRelayedJobs, markOutboxJobCompleted, putBackInOutbox, requeueOutboxRow } from '../db/outbox.js';
import { pruneFinishedOutboxRows, pruneInteractionReceipts, pruneStaleMessageClaims } from '../db/retention.js';
import { markRenderFailed } from '../db/panel-renders.js';
import { RENDER_FAILURE_TEXTS } from '../services/render-failures.js';
import {
  listOpenDraftsWithoutMessage,
  listOpenDraftsWithReviewSchedule,
  listPagesGeneratingSince,
  listRendersUnfinishedBefore,
  tryAdvisoryTransactionLock,
} from '../db/sweeps.js';
import { isJobName, jobKeyFor, jobSpec, type JobData, type JobName } from '../domain/jobs.js';
import { draftKindOf } from '../domain/page-state-machine.js';
import type { Logger } from '../logger.js';
import { failGeneration } from '../services/record-draft.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
// Any number for the advisory lock, as long as it is ours alone: sweepLostWork holds it, so only one
// sweep runs at a time across every worker process.
const SWEEP_LOCK = 7_310_001;

async function jobState(queue: Queue, jobKey: string): Promise<{ job: Job | undefined; state: string }> {
  const job = await queue.getJob(jobKey);
  return { job, state: job ? await job.getState() : 'missing' };
}

/** Puts a lost or dead job back through the outbox, under its deterministic key, to run at once. */
async function putBack<N extends JobName>(db: Executor, job: Job | undefined, name: N, data: JobData<N>): Promise<void> {
  if (job) await job.remove().catch(() => undefined);
  await putBackInOutbox(db, name, data);
}

/**
 * Queues a job again unless it is live, still waiting in the outbox, or (with `ranIsEnough`) already
 * ran; with `onlyIfScheduled`, only a job that was once written to the outbox counts as lost.
 * Returns the state the job was found in when it was queued again, else null.
 */
async function requeueIfLost<N extends JobName>(
  db: Executor,
  queue: Queue,
  name: N,
  data: JobData<N>,
  rules: { ranIsEnough: boolean; onlyIfScheduled: boolean },
): Promise<string | null> {
  const jobKey = jobKeyFor(name, data);
  const { job, state } = await jobState(queue, jobKey);
  if (LIVE_STATES.has(state) || (rules.ranIsEnough && state === 'completed')) return null;
  const row = await getOutboxRelayState(db, jobKey);
  if (row && !row.relayed) return null; // already on its way to Redis
  if (!row && rules.onlyIfScheduled) return null;
  await putBack(db, job, name, data);
  return state;
}

export interface SweepResult {
  requeued: number;
  failed: number;
}

/**
 * Finds pages that say they are generating but whose job is gone (Redis flushed, a job lost) or
 * dead, and puts them back on the queue through the outbox, or marks them failed so a co-writer
 * can press Retry.
 */
export async function sweepStuckPages(db: Db, queue: Queue, logger: Logger, olderThanMs: number): Promise<SweepResult> {
  const pages = await listPagesGeneratingSince(db, new Date(Date.now() - olderThanMs));
  const result: SweepResult = { requeued: 0, failed: 0 };
  for (const page of pages) {
    // The kind being written is the state's, never `stage` (the state machine's own rule).
    const data = { pageId: page.id, kind: draftKindOf(page), pageVersion: page.version };
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
    await putBack(db, job, 'generate-draft', data);
    result.requeued += 1;
    logger.warn({ pageId: page.id, jobId: jobKey, jobState: state }, 'sweeper: generating page had no live job; queued again');
  }
  return result;
}

/**
 * The backstop for review reminders and deadlines: an open draft whose deadline (or reminder) is past
 * but whose job is not in Redis (a flush, a lost delayed job) gets it queued again to run at once.
 */
export async function sweepOverdueReviews(db: Db, queue: Queue, logger: Logger, minuteMs: number, graceMs: number): Promise<number> {
  const drafts = await listOpenDraftsWithReviewSchedule(db);
  let requeued = 0;
  const now = Date.now();
  for (const draft of drafts) {
    const overdue = (minutes: number | null) => minutes !== null && draft.created_at.getTime() + minutes * minuteMs + graceMs < now;
    const due: ('review-reminder' | 'review-deadline')[] = [];
    if (
      draft.reminded_at === null &&
      overdue(draft.reminder_minutes) &&
      (draft.deadline_minutes === null || (draft.reminder_minutes ?? 0) < draft.deadline_minutes)
    )
      due.push('review-reminder');
    if (overdue(draft.deadline_minutes)) due.push('review-deadline');
    for (const name of due) {
      // Only jobs the draft was given (a setting changed later does not reach back), and a deadline job
      // that ran decided what it could: only a missing or dead one is queued again.
      const state = await requeueIfLost(
        db,
        queue,
        name,
        { pageId: draft.pageId, revisionId: draft.revisionId },
        { ranIsEnough: true, onlyIfScheduled: true },
      );
      if (state === null) continue;
      requeued += 1;
      logger.warn(
        { pageId: draft.pageId, revisionId: draft.revisionId, job: name, jobState: state },
        'sweeper: overdue review job was not queued; queued again',
      );
    }
  }
  return requeued;
}

/**
 * A draft up for a vote must have its message (the only place to vote on it). When posting it failed
 * for good (Discord down through every attempt), the draft is queued to be shown again.
 */
export async function sweepUnshownDrafts(db: Db, queue: Queue, logger: Logger, olderThanMs: number): Promise<number> {
  const drafts = await listOpenDraftsWithoutMessage(db, new Date(Date.now() - olderThanMs));
  let requeued = 0;
  for (const draft of drafts) {
    // A post that completed and still left no message (deleted since) is worth another try.
    const state = await requeueIfLost(
      db,
      queue,
      'post-draft',
      { pageId: draft.pageId, revisionId: draft.revisionId },
      { ranIsEnough: false, onlyIfScheduled: false },
    );
    if (state === null) continue;
    requeued += 1;
    logger.warn(
      { pageId: draft.pageId, revisionId: draft.revisionId, jobState: state },
      'sweeper: open draft had no message; showing it again',
    );
  }
  return requeued;
}

const UNFINISHED_BATCH = 200;

/**
 * The general backstop: every job written to the outbox runs to an end at least once. A job handed to
 * Redis long enough ago that is neither live nor finished there (Redis lost it) is queued again under
 * its key; one Redis says finished whose row was not marked (the worker died in between) is marked.
 * Jobs are idempotent by their key, so running one again is safe.
 */
export async function sweepUnfinishedJobs(db: Db, queues: JobQueues, logger: Logger, olderThanMs: number): Promise<number> {
  const rows = await listUnfinishedRelayedJobs(db, new Date(Date.now() - olderThanMs), UNFINISHED_BATCH);
  let requeued = 0;
  for (const row of rows) {
    // A job is looked for on the queue it was relayed to; without that queue here, it is not judged.
    const queue = isJobName(row.job_name) && jobSpec(row.job_name).queue === 'render' ? queues.render : queues.generation;
    if (!queue) continue;
    const { job, state } = await jobState(queue, row.job_key);
    if (LIVE_STATES.has(state)) continue;
    // A generation that failed for good is the stuck-page sweep's (it marks the page failed).
    if (state === 'completed' || state === 'failed') {
      await markOutboxJobCompleted(db, row.job_key);
      continue;
    }
    if (job) await job.remove().catch(() => undefined);
    await requeueOutboxRow(db, row.job_key);
    requeued += 1;
    logger.warn({ jobId: row.job_key, job: row.job_name, jobState: state }, 'sweeper: job lost after it was relayed; queued again');
  }
  return requeued;
}

/**
 * Renders that will not end by themselves are failed, so a co-writer can Retry (one left waiting or
 * rendering blocks its panel's Reroll and counts against the server's cap for good): one `submitted`
 * longer than a render may take (its timeout plus a margin) whose job is neither live nor waiting (a
 * worker that died for good, a job lost or dead), and one still `queued` whose job died on its last
 * attempt before it was sent. Their job is queued again: it finds the render failed and shows it.
 */
export async function sweepStuckRenders(db: Db, renderQueue: Queue, logger: Logger, olderThanMs: number): Promise<number> {
  const renders = await listRendersUnfinishedBefore(db, new Date(Date.now() - olderThanMs));
  let failed = 0;
  for (const render of renders) {
    const data = { pageId: render.page_id, renderId: render.id };
    const { job, state } = await jobState(renderQueue, jobKeyFor('render-panel', data));
    if (LIVE_STATES.has(state)) continue;
    // A queued render whose job is missing is the unfinished-jobs sweep's: it queues the job again.
    if (render.status === 'queued' && state !== 'failed') continue;
    const failure = render.status === 'queued' ? RENDER_FAILURE_TEXTS.error.notStarted : RENDER_FAILURE_TEXTS.timeout.workerStopped;
    await markRenderFailed(db, render.id, failure, render.status === 'queued' ? 'error' : 'timeout');
    await putBack(db, job, 'render-panel', data);
    failed += 1;
    logger.warn(
      { pageId: render.page_id, renderId: render.id, renderStatus: render.status, jobState: state },
      'sweeper: render that would never end marked failed',
    );
  }
  return failed;
}

/** Receipts, finished outbox rows and unrecorded message claims past the retention period: kept for a while, then deleted. */
async function pruneExpired(db: Db, logger: Logger, retentionMs: number): Promise<void> {
  const before = new Date(Date.now() - retentionMs);
  const receipts = await pruneInteractionReceipts(db, before);
  const outboxRows = await pruneFinishedOutboxRows(db, before);
  const messageClaims = await pruneStaleMessageClaims(db, before);
  if (receipts + outboxRows + messageClaims > 0)
    logger.info({ receipts, outboxRows, messageClaims }, 'sweeper: pruned rows past retention');
}

export interface SweepTimes {
  /** A page generating this long with no live job is queued again. */
  stuckPageMs: number;
  /** How long a story "minute" lasts (reminders and deadlines). */
  minuteMs: number;
  /** How long past due a reminder, deadline or unshown draft must be before it counts as lost. */
  graceMs: number;
  /** Interaction receipts and finished outbox rows older than this are deleted. */
  retentionMs: number;
  /** A render submitted this long with no live job is failed (its timeout plus a margin); rendering on only. */
  stuckRenderMs?: number;
}

/**
 * Every sweep, under one advisory lock so that only one worker process sweeps at a time. A timer
 * drives it rather than a BullMQ scheduler, which a Redis flush would erase. Returns how many jobs
 * it put back in the outbox (the caller kicks the relay when that is not zero).
 */
/** The queues outbox jobs are relayed to (render only where rendering is on). */
export interface JobQueues {
  generation: Queue;
  render?: Queue | null;
}

export async function sweepLostWork(
  db: Db,
  queue: Queue,
  logger: Logger,
  times: SweepTimes,
  renderQueue: Queue | null = null,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryAdvisoryTransactionLock(trx, SWEEP_LOCK))) return 0;
    const stuck = await sweepStuckPages(db, queue, logger, times.stuckPageMs);
    const reviews = await sweepOverdueReviews(db, queue, logger, times.minuteMs, times.graceMs);
    const unshown = await sweepUnshownDrafts(db, queue, logger, times.graceMs);
    const unfinished = await sweepUnfinishedJobs(db, { generation: queue, render: renderQueue }, logger, times.stuckPageMs);
    const renders =
      renderQueue && times.stuckRenderMs !== undefined ? await sweepStuckRenders(db, renderQueue, logger, times.stuckRenderMs) : 0;
    await pruneExpired(db, logger, times.retentionMs);
    return stuck.requeued + reviews + unshown + unfinished + renders;
  });
}
