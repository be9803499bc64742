import type { Job } from 'bullmq';
import { reviewContinuity } from '../agents/reviewer.js';
import { countTokens } from '../agents/tokens.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { setReviewNotes } from '../db/revisions.js';
import { buildReviewPrompt } from '../domain/context-builder.js';
import { reviewDraftJob } from '../domain/jobs.js';
import { loadNarrationContext } from '../services/prompt-context.js';
import { budgetOf, callAdvisory, overBudget, tellGaveUp } from './advisory-call.js';
import type { WorkerDeps } from './deps.js';
import { showDraft } from './page-views.js';

/**
 * The continuity reviewer: reads a narration draft against the bible and earlier pages and attaches
 * its notes to the draft message. It never touches the vote: the draft is open the whole time.
 */
export async function processReviewDraft(deps: WorkerDeps, job: Job): Promise<string> {
  const data = reviewDraftJob.parse(job.data);
  const { pageId, revisionId } = data;
  const place = await getPageWithPlace(deps.db, pageId);
  const revision = await getRevision(deps.db, revisionId);
  if (!place || !revision || revision.page_id !== pageId) return 'draft gone';
  if (revision.review_notes !== null) return 'already reviewed';
  if (revision.status !== 'open') return 'draft already decided';
  if (await overBudget(deps, place.story_id)) return 'over budget';
  const prompt = buildReviewPrompt(await loadNarrationContext(deps.db, pageId, budgetOf(deps)), revision.body, countTokens);
  const model = deps.config.model.reviewerModel;
  const review = await callAdvisory(deps, job, { agent: 'reviewer', model, place }, () =>
    reviewContinuity(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` }),
  );
  if ('gaveUp' in review) {
    await tellGaveUp(deps, { agent: 'reviewer', place, revisionId, label: `narration v${revision.version}`, reason: review.gaveUp, round: data.round ?? 0 });
    return 'review failed';
  }
  const updated = await setReviewNotes(deps.db, revisionId, review.notes);
  if (!updated) return 'already reviewed';
  if (review.notes.length > 0) await showDraft(deps, { place, revision: updated, generationKey: null });
  return `${review.notes.length} note(s)`;
}
