import type { Job } from 'bullmq';
import { reviewDraftJob } from '../domain/jobs.js';
import { reviewDraft } from '../services/review-draft.js';
import { tellGaveUp } from './advisory-gave-up.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';
import { showDraft } from './page-views.js';

/** The continuity reviewer's job: its notes are shown on the draft message; a reviewer that gave up is told in the thread. */
export async function processReviewDraft(deps: WorkerDeps, job: Job): Promise<string> {
  const data = reviewDraftJob.parse(job.data);
  const review = await reviewDraft(deps, data, attemptOf(job));
  switch (review.status) {
    case 'skipped':
      return review.reason;
    case 'gave up': {
      const { place, revision } = review;
      await tellGaveUp(deps, {
        agent: 'reviewer',
        place,
        revisionId: revision.id,
        label: `narration v${revision.version}`,
        reason: review.reason,
        round: data.round ?? 0,
      });
      return 'review failed';
    }
    case 'reviewed':
      // Clean is shown too ("None"), so a draft or take not yet reviewed never looks checked.
      await showDraft(deps, { place: review.place, revision: review.revision, generationKey: null });
      return `${review.notes} note(s)`;
  }
}
