import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { NO_MENTIONS } from '../views/message-parts.js';
import { jobKeyFor, reviewDueJob } from '../domain/jobs.js';
import { takeLetter } from '../domain/takes.js';
import { decideDraftAtDeadline } from '../services/decide-draft.js';
import type { WorkerDeps } from './deps.js';
import { showDraft, updatePageCard } from './page-views.js';

/** At the deadline: the draft is decided by the votes cast, following the story's rule for a tie. */
export async function processReviewDeadline(deps: WorkerDeps, job: Job): Promise<string> {
  const data = reviewDueJob.parse(job.data);
  const outcome = await decideDraftAtDeadline(deps.db, data);
  if (!outcome) return 'draft already decided';
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return outcome.decision;
  await showDraft(deps, { place, revision: outcome.revision, generationKey: null });
  const result =
    outcome.take !== undefined
      ? `take ${takeLetter(outcome.take)} is picked`
      : outcome.decision === 'approved'
        ? 'it is approved'
        : 'it is sent back for a new version';
  const votes = outcome.picks
    ? `${outcome.picks.map((n, take) => `${takeLetter(take)} ${n}`).join(' · ')}, ✏️ ${outcome.tally.revisions} revise`
    : `✅ ${outcome.tally.approvals} approve, ✏️ ${outcome.tally.revisions} revise`;
  await deps.messages.upsert(
    {
      channelId: place.thread_id,
      purpose: 'notice',
      chapterId: place.chapter_id,
      pageId: place.id,
      revisionId: null,
      generationKey: job.id ?? jobKeyFor('review-deadline', data),
    },
    { by: 'generation_key' },
    {
      content: `⌛ The review deadline for page ${place.number}'s ${outcome.revision.kind} v${outcome.revision.version} has passed: ${votes}, so ${result}.`,
      embeds: [],
      components: [],
      allowed_mentions: NO_MENTIONS,
    },
  );
  await updatePageCard(deps, place, null);
  return outcome.decision;
}
