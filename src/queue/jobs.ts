import { z } from 'zod';

// Job data holds ids only; the worker reads everything else from Postgres when the job runs.
export const GENERATION_QUEUE = 'generation';

export const generateDraftJob = z.object({
  pageId: z.number().int().positive(),
  kind: z.enum(['narration', 'dialogue']),
  // The page version at which generation was requested: a job for an older version is stale.
  pageVersion: z.number().int().nonnegative(),
});
export type GenerateDraftJob = z.infer<typeof generateDraftJob>;

export const announcePageJob = z.object({ pageId: z.number().int().positive() });
export type AnnouncePageJob = z.infer<typeof announcePageJob>;

export const postDraftJob = z.object({ pageId: z.number().int().positive(), revisionId: z.number().int().positive() });
export type PostDraftJob = z.infer<typeof postDraftJob>;

/** After a page is approved: fold older pages into the chapter summary when a stride is complete. */
export const summariseChapterJob = z.object({ chapterId: z.number().int().positive(), approvedPage: z.number().int().positive() });
export type SummariseChapterJob = z.infer<typeof summariseChapterJob>;

export const JOB_SCHEMAS = {
  'generate-draft': generateDraftJob,
  'announce-page': announcePageJob,
  'post-draft': postDraftJob,
  'summarise-chapter': summariseChapterJob,
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobData<N extends JobName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

/** Deterministic BullMQ job ids (no ':'), so the same request queued twice is one job. */
export function jobKeyFor<N extends JobName>(name: N, data: JobData<N>): string {
  switch (name) {
    case 'generate-draft': {
      const d = data as GenerateDraftJob;
      return `generate-draft-p${d.pageId}-${d.kind}-v${d.pageVersion}`;
    }
    case 'announce-page':
      return `announce-page-p${(data as AnnouncePageJob).pageId}`;
    case 'post-draft': {
      const d = data as PostDraftJob;
      return `post-draft-p${d.pageId}-r${d.revisionId}`;
    }
    case 'summarise-chapter': {
      const d = data as SummariseChapterJob;
      return `summarise-chapter-c${d.chapterId}-p${d.approvedPage}`;
    }
  }
  throw new Error(`unknown job ${String(name)}`);
}
