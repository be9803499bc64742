import * as z from 'zod';
import { NUDGE_CHANGES } from './lettering/script.js';

// The follow-up jobs a state change can ask for, as written to the outbox. Job data holds ids only;
// the worker reads everything else from Postgres when the job runs. Pure: the queue that carries
// them (BullMQ) lives in src/queue.

const id = z.number().int().positive();

export const generateDraftJob = z.object({
  pageId: id,
  kind: z.enum(['narration', 'dialogue']),
  // The page version at which generation was requested: a job for an older version is stale.
  pageVersion: z.number().int().nonnegative(),
});
export type GenerateDraftJob = z.infer<typeof generateDraftJob>;

/**
 * Another take for an open round, the round named by its take A. `request` counts the takes asked of
 * the round so far, this one included: each request is its own job.
 */
export const generateTakeJob = z.object({ pageId: id, leadRevisionId: id, request: z.number().int().min(1).max(6) });

/** Redraw a draft's message, or every take's of a round (its tally, or how it was decided); coalesced like the progress message. */
export const refreshRoundJob = z.object({ pageId: id, leadRevisionId: id });

/** Redraw a page's panels message from Postgres once its renders settle (coalesced like the progress message). */
export const refreshPanelsJob = z.object({ pageId: id });

/** The page was approved at this version (a restored page can be approved again, and is announced again). */
export const announcePageJob = z.object({ pageId: id, pageVersion: z.number().int().nonnegative() });

/** Show a restored version for a vote; the draft it replaced (if one was open) is shown as superseded. */
export const postDraftJob = z.object({ pageId: id, revisionId: id, supersededRevisionId: id.optional() });

/** After a page is approved: fold older pages into the chapter summary when a stride is complete. */
export const summariseChapterJob = z.object({ chapterId: id, approvedPage: id });

/** After a page is approved: the panels agent writes image prompts from its approved dialogue. */
// `round`: a co-writer's Retry after the agent gave up runs it again under a key of its own.
export const generatePanelsJob = z.object({ pageId: id, dialogueRevisionId: id, round: z.number().int().min(1).max(20).optional() });

/** A narration draft is up for a vote: the continuity reviewer reads it against the bible and earlier pages. */
export const reviewDraftJob = z.object({ pageId: id, revisionId: id, round: z.number().int().min(1).max(20).optional() });

/** Due some time after a draft is posted: remind who has not voted, or decide by the votes cast. */
export const reviewDueJob = z.object({ pageId: id, revisionId: id });

/** Redraw a chapter's pinned progress message (debounced: many changes, one edit). */
export const refreshProgressJob = z.object({ chapterId: id });

/** One render of one panel, its row (seed, prompt, ComfyUI prompt id) written before the job was queued. */
export const renderPanelJob = z.object({ pageId: id, renderId: id });

/** A page's panels were approved as a set: announce it in the thread with the panels. */
export const announcePanelsJob = z.object({ pageId: id, setVersion: id });

/**
 * Letter a page's approved panels with its approved dialogue: version 1 when the set is approved, the
 * next at a co-writer's Re-letter (`requestedBy`, a Discord user id). The same version asked twice is one job.
 */
export const composePageJob = z.object({
  pageId: id,
  setVersion: id,
  version: z.number().int().min(1).max(1_000),
  requestedBy: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
  // A co-writer's nudge of one balloon of the version before (a Re-letter has none).
  nudge: z
    .object({
      panel: z.number().int().min(0).max(50),
      lines: z.array(z.number().int().min(0).max(200)).min(1).max(50),
      change: z.enum(NUDGE_CHANGES),
    })
    .optional(),
  // Retry after a composition that failed for good: the same version, under a new job key.
  round: z.number().int().min(1).max(100).optional(),
});

/** The BullMQ queue a job runs on (src/queue names them; the worker has one BullMQ worker per queue). */
export type QueueName = 'generation' | 'render' | 'progress';

/** How a job is declared: everything about it except its processor (the worker's, in src/worker/processors.ts). */
export interface JobSpec<Data> {
  /** What its data must look like: checked when it is written to the outbox and when it is relayed. */
  schema: z.ZodType<Data, Record<string, unknown>>;
  /** Its deterministic BullMQ job id (no ':'), so the same request queued twice is one job. */
  key(data: Data): string;
  /**
   * Its queue. 'progress' jobs are redraws of views, not written to the outbox: they are coalesced by
   * BullMQ's deduplication under their key (see the progress refresher).
   */
  queue: QueueName;
  /** Attempts BullMQ makes; 'model' is MODEL_ATTEMPTS (the model's own retries). */
  attempts: number | 'model';
  /** First wait before another attempt; each later one doubles (exponential back-off). */
  backoffMs: number;
}

const job = <S extends z.ZodType<unknown, Record<string, unknown>>>(spec: JobSpec<z.infer<S>> & { schema: S }) => spec;
const round = (n: number | undefined) => (n ? `-a${n}` : '');

/** Every job, declared once. Adding a job: an entry here and a processor (docs/adding-a-job.md). */
export const JOBS = {
  'generate-draft': job({
    schema: generateDraftJob,
    key: (d) => `generate-draft-p${d.pageId}-${d.kind}-v${d.pageVersion}`,
    queue: 'generation',
    attempts: 'model',
    backoffMs: 1_000,
  }),
  'generate-take': job({
    schema: generateTakeJob,
    key: (d) => `generate-take-r${d.leadRevisionId}-n${d.request}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'announce-page': job({
    schema: announcePageJob,
    key: (d) => `announce-page-p${d.pageId}-v${d.pageVersion}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'post-draft': job({
    schema: postDraftJob,
    key: (d) => `post-draft-p${d.pageId}-r${d.revisionId}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'summarise-chapter': job({
    schema: summariseChapterJob,
    key: (d) => `summarise-chapter-c${d.chapterId}-p${d.approvedPage}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'generate-panels': job({
    schema: generatePanelsJob,
    key: (d) => `generate-panels-r${d.dialogueRevisionId}${round(d.round)}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'review-draft': job({
    schema: reviewDraftJob,
    key: (d) => `review-draft-r${d.revisionId}${round(d.round)}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'review-reminder': job({
    schema: reviewDueJob,
    key: (d) => reviewJobKey('review-reminder', d.revisionId),
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'review-deadline': job({
    schema: reviewDueJob,
    key: (d) => reviewJobKey('review-deadline', d.revisionId),
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'announce-panels': job({
    schema: announcePanelsJob,
    key: (d) => `announce-panels-p${d.pageId}-v${d.setVersion}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'compose-page': job({
    schema: composePageJob,
    key: (d) => `compose-page-p${d.pageId}-s${d.setVersion}-v${d.version}${d.round ? `-r${d.round}` : ''}`,
    queue: 'generation',
    attempts: 5,
    backoffMs: 1_000,
  }),
  // Renders run on their own queue, so a slow ComfyUI never holds up drafts.
  'render-panel': job({
    schema: renderPanelJob,
    key: (d) => `render-panel-r${d.renderId}`,
    queue: 'render',
    attempts: 5,
    backoffMs: 1_000,
  }),
  'refresh-progress': job({
    schema: refreshProgressJob,
    key: (d) => `refresh-progress-c${d.chapterId}`,
    queue: 'progress',
    attempts: 3,
    backoffMs: 1_000,
  }),
  'refresh-round': job({
    schema: refreshRoundJob,
    key: (d) => `refresh-round-r${d.leadRevisionId}`,
    queue: 'progress',
    attempts: 3,
    backoffMs: 1_000,
  }),
  'refresh-panels': job({
    schema: refreshPanelsJob,
    key: (d) => `refresh-panels-p${d.pageId}`,
    queue: 'progress',
    attempts: 3,
    backoffMs: 1_000,
  }),
};

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;

/** The table seen one job at a time: a job's spec with its own data type (what lets callers index it by a generic name). */
const JOB_TABLE: { readonly [N in JobName]: JobSpec<JobData<N>> } = JOBS;

/** A job's declaration by name. */
export function jobSpec<N extends JobName>(name: N): JobSpec<JobData<N>> {
  return JOB_TABLE[name];
}

/** Whether a name read from outside (an outbox row, a BullMQ job) is one of ours. */
export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

export const REVIEW_JOBS = ['review-reminder', 'review-deadline'] as const;

/** The reminder's or the deadline's job id for a draft: it is dropped from the queue once the draft is decided. */
export function reviewJobKey(name: (typeof REVIEW_JOBS)[number], revisionId: number): string {
  return `${name}-r${revisionId}`;
}

/** Deterministic BullMQ job ids (no ':'), so the same request queued twice is one job. */
export function jobKeyFor<N extends JobName>(name: N, data: JobData<N>): string {
  return jobSpec(name).key(data);
}

/** A job as the outbox holds it: its name, its deterministic key, its checked data, and when it is due. */
export interface OutboxJob {
  name: JobName;
  key: string;
  payload: Record<string, unknown>;
  runAt: Date | null;
}

/** Checks a job's data against its schema and gives it its key: what the outbox writes and the relay adds. */
export function describeJob<N extends JobName>(name: N, data: JobData<N>, options: { runAt?: Date } = {}): OutboxJob {
  const payload = jobSpec(name).schema.parse(data);
  return { name, key: jobKeyFor(name, data), payload, runAt: options.runAt ?? null };
}
