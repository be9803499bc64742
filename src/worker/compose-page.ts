import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { composePageJob } from '../domain/jobs.js';
import { composePage } from '../services/compose-page.js';
import type { WorkerDeps } from './deps.js';
import { showLettered } from './lettered-view.js';
import { whileChapterReachable } from './page-views.js';

/**
 * A page's approved panels lettered with its approved dialogue (a new version), posted as
 * "Page N · Lettered"; the versions it supersedes are redrawn without their buttons.
 */
export async function processComposePage(deps: WorkerDeps, job: Job): Promise<string> {
  const data = composePageJob.parse(job.data);
  const outcome = await composePage(deps.db, data);
  if (outcome.kind !== 'composed') return outcome.kind;
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  const log = deps.logger.child({ pageId: place.id, jobId: job.id });
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    await showLettered(deps, place, outcome.lettered);
    for (const row of outcome.superseded) await showLettered(deps, place, row);
    return 'composed';
  });
}
