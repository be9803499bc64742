import type { Job } from 'bullmq';
import { getApprovedPageTexts } from '../db/approved-pages.js';
import { getPageWithPlace } from '../db/pages.js';
import { renderApprovedPage } from '../discord/render/page-messages.js';
import { announcePageJob } from '../domain/jobs.js';
import { ChapterUnreachableError } from './discord-messages.js';
import { markChapterNeedsAttention, updatePageCard, type WorkerDeps } from './generate-draft.js';

/** An approved page: post the finished page in the thread and mark its card approved. */
export async function processAnnouncePage(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId } = announcePageJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, pageId);
  if (!place || place.thread_id === null || place.state !== 'page_approved') return 'nothing to announce';
  const texts = await getApprovedPageTexts(deps.db, pageId);
  if (!texts) return 'nothing to announce';
  try {
    await announce(deps, job, { ...place, thread_id: place.thread_id }, texts);
  } catch (error) {
    if (error instanceof ChapterUnreachableError) {
      return markChapterNeedsAttention(deps, place.chapter_id, error, deps.logger.child({ pageId, jobId: job.id }));
    }
    throw error;
  }
  return 'announced';
}

async function announce(
  deps: WorkerDeps,
  job: Job,
  place: NonNullable<Awaited<ReturnType<typeof getPageWithPlace>>> & { thread_id: string },
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
      generationKey: job.id ?? `announce-page-p${pageId}`,
    },
    { by: 'generation_key' },
    renderApprovedPage(place, texts.narration, texts.dialogue),
  );
  await updatePageCard(deps, place, null);
}
