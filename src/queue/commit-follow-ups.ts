import type { Queue } from 'bullmq';
import type { CommitFollowUps } from '../db/unit-of-work.js';
import { REVIEW_JOBS, reviewJobKey } from '../domain/jobs.js';
import type { Logger } from '../logger.js';
import type { OutboxRelay } from './outbox-relay.js';
import type { ProgressRefresher } from './progress-refresher.js';

/** What a process does once a unit of work commits: its jobs to BullMQ at once, its views redrawn, review jobs it made moot dropped. */
export function commitFollowUps(parts: { relay: OutboxRelay; progress: ProgressRefresher; queue: Queue; logger: Logger }): CommitFollowUps {
  const { relay, progress, queue, logger } = parts;
  return {
    relay: (jobs) => relay.kick(jobs),
    refreshProgress: (chapterId) => progress.refresh(chapterId),
    refreshRound: (pageId, leadRevisionId) => progress.refreshRound(pageId, leadRevisionId),
    refreshPanels: (pageId) => progress.refreshPanels(pageId),
    cancelReviewJobs: (revisionId) => {
      for (const name of REVIEW_JOBS) {
        queue
          .remove(reviewJobKey(name, revisionId))
          .catch((error: unknown) => logger.debug({ err: error, revisionId }, 'could not drop a review job'));
      }
    },
  };
}
