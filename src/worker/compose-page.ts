import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { composePageJob, jobKeyFor, type JobData } from '../domain/jobs.js';
import { composePage, type ComposePageOutcome } from '../services/compose-page.js';
import { renderLetteringFailed, type LetteringFailure } from '../views/lettering-failed.js';
import type { WorkerDeps } from './deps.js';
import { showLettered } from './lettered-view.js';
import { whileChapterReachable } from './page-views.js';

const FAILURES: Partial<Record<ComposePageOutcome['kind'], LetteringFailure>> = { 'no panels': 'missing-panel', 'no script': 'no-script' };

/**
 * A page's approved panels lettered with its approved dialogue (a new version), posted as
 * "Page N · Lettered"; the versions it supersedes are redrawn without their buttons. A composition
 * that fails for good (its last attempt, or nothing to letter) is told in the thread with Retry.
 */
export async function processComposePage(deps: WorkerDeps, job: Job): Promise<string> {
  const data = composePageJob.parse(job.data);
  let outcome: ComposePageOutcome;
  try {
    outcome = await composePage(deps.db, data);
  } catch (error) {
    if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
    deps.logger.error({ err: error, pageId: data.pageId, jobId: job.id }, 'lettering failed on its last attempt; told in the thread');
    return tellFailure(deps, data, 'error');
  }
  const failure = FAILURES[outcome.kind];
  if (failure) return tellFailure(deps, data, failure);
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

/** The failure notice of a version: one message, redrawn by each failed round. */
const letteringFailedKey = (data: Pick<JobData<'compose-page'>, 'pageId' | 'setVersion' | 'version'>) =>
  `${jobKeyFor('compose-page', { pageId: data.pageId, setVersion: data.setVersion, version: data.version })}-failed`;

async function tellFailure(deps: WorkerDeps, data: JobData<'compose-page'>, reason: LetteringFailure): Promise<string> {
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  const log = deps.logger.child({ pageId: place.id });
  const threadId = place.thread_id;
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    const body = renderLetteringFailed({
      pageId: place.id,
      pageNumber: place.number,
      setVersion: data.setVersion,
      version: data.version,
      round: data.round ?? 0,
      reason,
      retriedBy: null,
    });
    await deps.messages.upsert(
      {
        channelId: threadId,
        purpose: 'notice',
        chapterId: place.chapter_id,
        pageId: place.id,
        revisionId: null,
        generationKey: letteringFailedKey(data),
      },
      { by: 'generation_key' },
      body,
    );
    return `failed: ${reason}`;
  });
}
