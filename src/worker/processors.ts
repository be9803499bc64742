import type { Job } from 'bullmq';
import type { JobName } from '../domain/jobs.js';
import { processAnnouncePage } from './announce-page.js';
import { processAnnouncePanels } from './announce-panels.js';
import { processComicPanelPrompts } from './comic-panel-prompts.js';
import { processComposePage } from './compose-page.js';
import type { WorkerDeps } from './deps.js';
import { processGenerateDraft } from './generate-draft.js';
import { processGenerateTake } from './generate-take.js';
import { processPostDraft } from './post-draft.js';
import { processRefreshPanels, processRefreshProgress, processRefreshRound } from './refresh-progress.js';
import { processRenderPanel } from './render-panel.js';
import { processReviewDeadline } from './review-deadline.js';
import { processReviewDraft } from './review-draft.js';
import { processReviewReminder } from './review-reminder.js';
import { processSummariseChapter } from './summarise-chapter.js';

/** A processor as BullMQ calls it, given the worker's kernel: the token is the job's lock, needed to put it back delayed. */
export type JobProcessor = (deps: WorkerDeps, job: Job, token?: string) => Promise<string>;

/**
 * The worker's half of the job table (src/domain/jobs.ts): each job's processor, one file each. A job
 * declared there without a processor here does not compile; the worker registers every queue's
 * processors from this map.
 */
export const PROCESSORS = {
  'generate-draft': processGenerateDraft,
  'generate-take': processGenerateTake,
  'announce-page': processAnnouncePage,
  'post-draft': processPostDraft,
  'summarise-chapter': processSummariseChapter,
  'generate-panels': processComicPanelPrompts,
  'review-draft': processReviewDraft,
  'review-reminder': processReviewReminder,
  'review-deadline': processReviewDeadline,
  'announce-panels': processAnnouncePanels,
  'compose-page': processComposePage,
  'render-panel': processRenderPanel,
  'refresh-progress': processRefreshProgress,
  'refresh-round': processRefreshRound,
  'refresh-panels': processRefreshPanels,
} satisfies Record<JobName, JobProcessor>;
