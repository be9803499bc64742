import type { Job } from 'bullmq';
import { getApprovedPageTexts } from '../db/approved-pages.js';
import { getPageWithPlace } from '../db/pages.js';
import { renderApprovedPage } from '../views/page-messages.js';
import { announcePageJob, jobKeyFor } from '../domain/jobs.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { updatePageCard, whileChapterReachable } from './page-views.js';

/** An approved page: post the finished page in the thread and mark its card approved. */
export async function processAnnouncePage(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId } = announcePageJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, pageId);
  if (!place || place.thread_id === null || place.state !== 'page_approved') return 'nothing to announce';
  const texts = await getApprovedPageTexts(deps.db, pageId);
  if (!texts) return 'nothing to announce';
  const threadId = place.thread_id;
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId, jobId: job.id }), async () => {
    await announce(deps, job, { ...place, thread_id: threadId }, texts);
    return 'announced';
  });
}

async function announce(
  deps: WorkerDeps,
  job: Job,
  place: PagePlace & { thread_id: string },
  texts: { narration: string; dialogue: string },
): Promise<void> {
  const pageId = place.id;
  await deps.messages.upsert(
    {
      channelId: place.thread_id,
      purpose: 'page_summary',
      chapterId: place.chapter_id,
      pageId,
      revisionId: null,
      generationKey: job.id ?? jobKeyFor('announce-page', announcePageJob.parse(job.data)),
    },
    { by: 'generation_key' },
    renderApprovedPage(place, texts.narration, texts.dialogue),
  );
  await updatePageCard(deps, place, null);
}
