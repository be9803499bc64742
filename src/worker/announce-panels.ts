import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { findPanelSetApproval } from '../db/panel-review.js';
import { renderPanelsApproved } from '../views/panels-message.js';
import { announcePanelsJob, jobKeyFor } from '../domain/jobs.js';
import type { WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';
import { loadPanels, showPanels } from './panels-view.js';

/**
 * A page's panels were approved as a set: the panels message is redrawn as final (no buttons) and the
 * approval is announced in the thread with the panels. Posted once, found again by the job's key.
 */
export async function processAnnouncePanels(deps: WorkerDeps, job: Job): Promise<string> {
  const data = announcePanelsJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  // A set approved again later (the page was reopened) is announced by its own job.
  if ((await findPanelSetApproval(deps.db, place.id))?.setVersion !== data.setVersion) return 'not the approved set';
  const threadId = place.thread_id;
  const log = deps.logger.child({ pageId: place.id, jobId: job.id });
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    await showPanels(deps, place);
    await deps.messages.show(
      {
        channelId: threadId,
        purpose: 'notice',
        chapterId: place.chapter_id,
        pageId: place.id,
        revisionId: null,
        generationKey: jobKeyFor('announce-panels', data),
      },
      { by: 'generation_key' },
      async (db) => {
        const { panels, files } = await loadPanels(deps, place, db);
        return { body: renderPanelsApproved(place, panels), files };
      },
    );
    return 'announced';
  });
}
