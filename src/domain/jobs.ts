import * as z from 'zod';

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
export type GenerateTakeJob = z.infer<typeof generateTakeJob>;

/** Redraw a draft's message, or every take's of a round (its tally, or how it was decided); coalesced like the progress message. */
export const refreshRoundJob = z.object({ pageId: id, leadRevisionId: id });
export type RefreshRoundJob = z.infer<typeof refreshRoundJob>;

/** The page was approved at this version (a restored page can be approved again, and is announced again). */
export const announcePageJob = z.object({ pageId: id, pageVersion: z.number().int().nonnegative() });
export type AnnouncePageJob = z.infer<typeof announcePageJob>;

/** Show a restored version for a vote; the draft it replaced (if one was open) is shown as superseded. */
export const postDraftJob = z.object({ pageId: id, revisionId: id, supersededRevisionId: id.optional() });
export type PostDraftJob = z.infer<typeof postDraftJob>;

/** After a page is approved: fold older pages into the chapter summary when a stride is complete. */
export const summariseChapterJob = z.object({ chapterId: id, approvedPage: id });
export type SummariseChapterJob = z.infer<typeof summariseChapterJob>;

/** After a page is approved: the panels agent writes image prompts from its approved dialogue. */
// `round`: a co-writer's Retry after the agent gave up runs it again under a key of its own.
export const generatePanelsJob = z.object({ pageId: id, dialogueRevisionId: id, round: z.number().int().min(1).max(20).optional() });
export type GeneratePanelsJob = z.infer<typeof generatePanelsJob>;

/** A narration draft is up for a vote: the continuity reviewer reads it against the bible and earlier pages. */
export const reviewDraftJob = z.object({ pageId: id, revisionId: id, round: z.number().int().min(1).max(20).optional() });
export type ReviewDraftJob = z.infer<typeof reviewDraftJob>;

/** Due some time after a draft is posted: remind who has not voted, or decide by the votes cast. */
export const reviewDueJob = z.object({ pageId: id, revisionId: id });
export type ReviewDueJob = z.infer<typeof reviewDueJob>;

/** Redraw a chapter's pinned progress message (debounced: many changes, one edit). */
export const refreshProgressJob = z.object({ chapterId: id });
export type RefreshProgressJob = z.infer<typeof refreshProgressJob>;

/** One render of one panel, its row (seed, prompt, ComfyUI prompt id) written before the job was queued. */
export const renderPanelJob = z.object({ pageId: id, renderId: id });
export type RenderPanelJob = z.infer<typeof renderPanelJob>;

/** A page's panels were approved as a set: announce it in the thread with the panels. */
export const announcePanelsJob = z.object({ pageId: id, setVersion: id });
export type AnnouncePanelsJob = z.infer<typeof announcePanelsJob>;

export const JOB_SCHEMAS = {
  'generate-draft': generateDraftJob,
  'generate-take': generateTakeJob,
  'refresh-round': refreshRoundJob,
  'announce-page': announcePageJob,
  'post-draft': postDraftJob,
  'summarise-chapter': summariseChapterJob,
  'generate-panels': generatePanelsJob,
  'review-draft': reviewDraftJob,
  'review-reminder': reviewDueJob,
  'review-deadline': reviewDueJob,
  'refresh-progress': refreshProgressJob,
  'render-panel': renderPanelJob,
  'announce-panels': announcePanelsJob,
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobData<N extends JobName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

/** Renders run on their own queue, so a slow ComfyUI never holds up drafts. */
export function queueOfJob(name: JobName): 'generation' | 'render' {
  return name === 'render-panel' ? 'render' : 'generation';
}

export const REVIEW_JOBS = ['review-reminder', 'review-deadline'] as const;

/** The reminder's or the deadline's job id for a draft: it is dropped from the queue once the draft is decided. */
export function reviewJobKey(name: (typeof REVIEW_JOBS)[number], revisionId: number): string {
  return `${name}-r${revisionId}`;
}

/** Deterministic BullMQ job ids (no ':'), so the same request queued twice is one job. */
export function jobKeyFor<N extends JobName>(name: N, data: JobData<N>): string {
  switch (name) {
    case 'generate-draft': {
      const d = data as GenerateDraftJob;
      return `generate-draft-p${d.pageId}-${d.kind}-v${d.pageVersion}`;
    }
    case 'generate-take': {
      const d = data as GenerateTakeJob;
      return `generate-take-r${d.leadRevisionId}-n${d.request}`;
    }
    case 'refresh-round':
      // Not relayed through the outbox: coalesced by BullMQ's deduplication (see progress refresher).
      return `refresh-round-r${(data as RefreshRoundJob).leadRevisionId}`;
    case 'announce-page': {
      const d = data as AnnouncePageJob;
      return `announce-page-p${d.pageId}-v${d.pageVersion}`;
    }
    case 'post-draft': {
      const d = data as PostDraftJob;
      return `post-draft-p${d.pageId}-r${d.revisionId}`;
    }
    case 'summarise-chapter': {
      const d = data as SummariseChapterJob;
      return `summarise-chapter-c${d.chapterId}-p${d.approvedPage}`;
    }
    case 'generate-panels': {
      const d = data as GeneratePanelsJob;
      return `generate-panels-r${d.dialogueRevisionId}${d.round ? `-a${d.round}` : ''}`;
    }
    case 'review-draft': {
      const d = data as ReviewDraftJob;
      return `review-draft-r${d.revisionId}${d.round ? `-a${d.round}` : ''}`;
    }
    case 'review-reminder':
    case 'review-deadline':
      return reviewJobKey(name, (data as ReviewDueJob).revisionId);
    case 'render-panel':
      return `render-panel-r${(data as RenderPanelJob).renderId}`;
    case 'announce-panels': {
      const d = data as AnnouncePanelsJob;
      return `announce-panels-p${d.pageId}-v${d.setVersion}`;
    }
    case 'refresh-progress':
      // Not relayed through the outbox: the caller adds a time bucket (see progress refresher).
      return `refresh-progress-c${(data as RefreshProgressJob).chapterId}`;
  }
  throw new Error(`unknown job ${String(name)}`);
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
  const payload = JOB_SCHEMAS[name].parse(data) as Record<string, unknown>;
  return { name, key: jobKeyFor(name, data), payload, runAt: options.runAt ?? null };
}
