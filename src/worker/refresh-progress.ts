import type { Job } from 'bullmq';
import { renderPinnedProgress } from '../views/progress.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { refreshPanelsJob, refreshProgressJob, refreshRoundJob } from '../domain/jobs.js';
import { getChapterProgressById } from '../services/progress-service.js';
import type { WorkerDeps } from './deps.js';
import { showDraft, whileChapterReachable } from './page-views.js';
import { showPanels } from './panels-view.js';

/** Redraws a draft's message, or every take's message of a round, from Postgres: its tally as it now counts. */
export async function processRefreshRound(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId, leadRevisionId } = refreshRoundJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, pageId);
  const lead = await getRevision(deps.db, leadRevisionId);
  if (!place || !lead || lead.page_id !== pageId || place.thread_id === null) return 'page gone';
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ jobId: job.id }), async () => {
    await showDraft(deps, { place, revision: lead, generationKey: null });
    return 'refreshed';
  });
}

/** Redraws the chapter's pinned progress message from the views (posting and pinning it the first time). */
export async function processRefreshProgress(deps: WorkerDeps, job: Job): Promise<string> {
  const { chapterId } = refreshProgressJob.parse(job.data);
  const progress = await getChapterProgressById(deps.db, chapterId);
  if (!progress || progress.chapter.thread_id === null) return 'chapter gone';
  // Discord said the thread is gone or closed to us: wait for an admin instead of knocking again.
  if (progress.chapter.status === 'needs_attention') return 'chapter needs attention';
  const threadId = progress.chapter.thread_id;
  return whileChapterReachable(deps, chapterId, deps.logger.child({ jobId: job.id }), async () => {
    await deps.messages.upsert(
      { channelId: threadId, purpose: 'progress', chapterId, pageId: null, revisionId: null, generationKey: null },
      { by: 'chapter_progress' },
      renderPinnedProgress(progress, new Date()),
    );
    return 'refreshed';
  });
}

/** Redraws a page's panels message from Postgres, after its renders settle (see ProgressRefresher.refreshPanels). */
export async function processRefreshPanels(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId } = refreshPanelsJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, pageId);
  if (!place || place.thread_id === null) return 'page gone';
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ jobId: job.id }), async () => {
    await showPanels(deps, place);
    return 'refreshed';
  });
}
