import { renderAdvisoryNotice } from '../views/advisory-notice.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';

const REASONS: Record<string, string> = {
  timeout: 'the model timed out',
  rate_limited: 'the model was busy',
  refused: 'the model declined',
  malformed: 'the answer was unreadable',
};

/** The thread is told when an advisory agent gave up, with a Retry for co-writers. */
export async function tellGaveUp(
  deps: WorkerDeps,
  notice: { agent: 'reviewer' | 'panels'; place: PagePlace; revisionId: number; label: string; reason: string; round: number },
): Promise<void> {
  const { place } = notice;
  if (place.thread_id === null) return;
  const body = renderAdvisoryNotice({
    ...notice,
    pageId: place.id,
    pageNumber: place.number,
    reason: REASONS[notice.reason] ?? 'the model failed',
  });
  await whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId: place.id }), async () => {
    await deps.messages.post(place.thread_id ?? '', body);
    return 'told';
  });
}
