import { reviewContinuity } from '../agents/reviewer.js';
import { countTokens } from '../agents/tokens.js';
import type { PageRevision } from '../db/database.js';
import { getPageWithPlace, getRevision, type PagePlace } from '../db/pages.js';
import { setReviewNotes } from '../db/revisions.js';
import { buildReviewPrompt } from '../domain/context-builder.js';
import type { JobData } from '../domain/jobs.js';
import type { AgentContext, JobAttempt } from './agent-calls.js';
import { budgetOf, callAdvisory, overBudget } from './advisory-call.js';
import { loadNarrationContext } from './prompt-context.js';

/** What the review came to: notes stored on the draft, the reviewer gave up, or nothing to do (the reason). */
export type ReviewOutcome =
  | { status: 'reviewed'; place: PagePlace; revision: PageRevision; notes: number }
  | { status: 'gave up'; place: PagePlace; revision: PageRevision; reason: string }
  | { status: 'skipped'; reason: string };

/**
 * The continuity reviewer: reads a narration draft against the bible and earlier pages and stores its
 * notes on the draft. It never touches the vote: the draft is open the whole time.
 */
export async function reviewDraft(deps: AgentContext, data: JobData<'review-draft'>, run: JobAttempt): Promise<ReviewOutcome> {
  const { pageId, revisionId } = data;
  const place = await getPageWithPlace(deps.db, pageId);
  const revision = await getRevision(deps.db, revisionId);
  if (!place || !revision || revision.page_id !== pageId) return { status: 'skipped', reason: 'draft gone' };
  if (revision.review_notes !== null) return { status: 'skipped', reason: 'already reviewed' };
  if (revision.status !== 'open') return { status: 'skipped', reason: 'draft already decided' };
  if (await overBudget(deps, place.story_id)) return { status: 'skipped', reason: 'over budget' };
  const prompt = buildReviewPrompt(await loadNarrationContext(deps.db, pageId, budgetOf(deps)), revision.body, countTokens);
  const model = deps.config.model.reviewerModel;
  const review = await callAdvisory(deps, run, { agent: 'reviewer', model, place }, () =>
    reviewContinuity(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` }),
  );
  if ('gaveUp' in review) return { status: 'gave up', place, revision, reason: review.gaveUp };
  const updated = await setReviewNotes(deps.db, revisionId, review.notes);
  if (!updated) return { status: 'skipped', reason: 'already reviewed' };
  return { status: 'reviewed', place, revision: updated, notes: review.notes.length };
}
