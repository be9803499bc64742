import type { Job } from 'bullmq';
import { getDraftMessage } from '../db/discord-messages.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { postDraftJob } from '../domain/jobs.js';
import type { WorkerDeps } from './deps.js';
import { showDraft, updatePageCard, whileChapterReachable } from './page-views.js';

/**
 * Shows a draft for a vote: a restored version (the draft it replaced is shown superseded), or an open
 * draft whose message never made it to Discord (queued again by the sweeper).
 */
export async function processPostDraft(deps: WorkerDeps, job: Job): Promise<string> {
  const data = postDraftJob.parse(job.data);
  const place = await getPageWithPlace(deps.db, data.pageId);
  const revision = await getRevision(deps.db, data.revisionId);
  if (!place || !revision || place.thread_id === null || revision.page_id !== place.id) return 'page gone';
  const shownPlace = place;
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ jobId: job.id }), async () => {
    if (data.supersededRevisionId !== undefined) {
      const superseded = await getRevision(deps.db, data.supersededRevisionId);
      const shown = await getDraftMessage(deps.db, data.supersededRevisionId);
      // Only redraw a message that exists: a superseded draft is not worth a new post.
      if (superseded && shown) await showDraft(deps, { place: shownPlace, revision: superseded, generationKey: null });
    }
    // A drafted revision already has a message from while it was written: find it by its job's key.
    await showDraft(deps, { place: shownPlace, revision, generationKey: revision.generation_key });
    await updatePageCard(deps, shownPlace, null);
    deps.progress.refresh(shownPlace.chapter_id);
    return 'posted';
  });
}
