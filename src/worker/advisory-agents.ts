import type { Job } from 'bullmq';
import { classifyModelError, type ModelUsage } from '../agents/model-client.js';
import { writePanelPrompts } from '../agents/panels.js';
import { reviewContinuity } from '../agents/reviewer.js';
import { countTokens } from '../agents/tokens.js';
import type { AgentName } from '../db/database.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { hasPanelPrompts } from '../db/panel-prompts.js';
import { setReviewNotes } from '../db/revisions.js';
import { buildPanelsPrompt, buildReviewPrompt } from '../domain/context-builder.js';
import { generatePanelsJob, reviewDraftJob } from '../domain/jobs.js';
import { getBudgetStatus, isBudgetSpent } from '../services/budget-service.js';
import { recordPanelPrompts, renderSettingsOf } from '../services/panel-renders.js';
import { loadDialogueContext, loadNarrationContext } from '../services/prompt-context.js';
import { recordAgentExecution } from './agent-log.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { showDraft, whileChapterReachable } from './page-views.js';
import { showPanels } from './panels-view.js';
import { renderAdvisoryNotice } from '../views/advisory-notice.js';

/** Advisory agents retry a transient failure once; after that they give up quietly, never holding up a page. */
const ADVISORY_ATTEMPTS = 2;

async function overBudget(deps: WorkerDeps, storyId: number): Promise<boolean> {
  return isBudgetSpent(await getBudgetStatus(deps.db, storyId, deps.config.prices));
}

/** Calls an advisory agent and logs the call; `gaveUp` when it failed for good (logged, and told in the thread, not thrown). */
async function callAdvisory<T extends { usage: ModelUsage }>(
  deps: WorkerDeps,
  job: Job,
  entry: { agent: AgentName; model: string; place: PagePlace },
  call: () => Promise<T>,
): Promise<T | { gaveUp: string }> {
  const started = Date.now();
  const log = {
    storyId: entry.place.story_id,
    chapterId: entry.place.chapter_id,
    pageId: entry.place.id,
    agent: entry.agent,
    model: entry.model,
    jobId: job.id ?? null,
    attempt: job.attemptsMade + 1,
  };
  try {
    const result = await call();
    await recordAgentExecution(deps, { ...log, usage: result.usage, latencyMs: Date.now() - started, outcome: 'ok', error: null });
    return result;
  } catch (error) {
    const failure = classifyModelError(error);
    await recordAgentExecution(deps, { ...log, usage: failure.usage, latencyMs: Date.now() - started, outcome: failure.outcome, error: failure.message });
    if (failure.retryable && job.attemptsMade + 1 < ADVISORY_ATTEMPTS) throw failure;
    deps.logger.warn({ agent: entry.agent, pageId: entry.place.id, outcome: failure.outcome, err: failure.message }, 'advisory agent gave up; the page goes on without it');
    return { gaveUp: failure.outcome };
  }
}

const REASONS: Record<string, string> = { timeout: 'the model timed out', rate_limited: 'the model was busy', refused: 'the model declined', malformed: 'the answer was unreadable' };

/** The thread is told when an advisory agent gave up, with a Retry for co-writers. */
async function tellGaveUp(deps: WorkerDeps, notice: { agent: 'reviewer' | 'panels'; place: PagePlace; revisionId: number; label: string; reason: string; round: number }): Promise<void> {
  const { place } = notice;
  if (place.thread_id === null) return;
  const body = renderAdvisoryNotice({ ...notice, pageId: place.id, pageNumber: place.number, reason: REASONS[notice.reason] ?? 'the model failed' });
  await whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId: place.id }), async () => {
    await deps.messages.post(place.thread_id ?? '', body);
    return 'told';
  });
}

const budgetOf = (deps: WorkerDeps) => ({ totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget });

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

/**
 * After a page is approved: image prompts per panel, stored in panel_prompts for /chapter export, and
 * with rendering on, one render job per panel written with them. The page's panels message follows.
 */
export async function processGeneratePanels(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generatePanelsJob.parse(job.data);
  const { pageId, dialogueRevisionId } = data;
  if (!deps.config.review.panelPrompts) return 'panel prompts are turned off';
  const place = await getPageWithPlace(deps.db, pageId);
  const dialogue = await getRevision(deps.db, dialogueRevisionId);
  if (!place || !dialogue || dialogue.page_id !== pageId || dialogue.kind !== 'dialogue') return 'page gone';
  if (await hasPanelPrompts(deps.db, dialogueRevisionId)) return 'already written';
  if (await overBudget(deps, place.story_id)) return 'over budget';
  const prompt = buildPanelsPrompt(await loadDialogueContext(deps.db, pageId, budgetOf(deps)), dialogue.body, countTokens);
  const model = deps.config.model.panelsModel;
  const result = await callAdvisory(deps, job, { agent: 'panels', model, place }, () => writePanelPrompts(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` }));
  if ('gaveUp' in result) {
    await tellGaveUp(deps, { agent: 'panels', place, revisionId: dialogueRevisionId, label: `dialogue v${dialogue.version}`, reason: result.gaveUp, round: data.round ?? 0 });
    return 'panels failed';
  }
  // A second run of the job (a false stall) finds the first one's rows and keeps them.
  const render = deps.config.render;
  const recorded = await recordPanelPrompts(
    deps.db,
    result.panels.map((panel) => ({
      page_id: pageId,
      revision_id: dialogueRevisionId,
      panel_number: panel.panelNumber,
      scene: panel.scene,
      characters: panel.characters,
      camera: panel.camera,
      mood: panel.mood,
      prompt: panel.prompt,
      negative_prompt: panel.negativePrompt,
    })),
    renderSettingsOf(render),
  );
  deps.kickRelay(recorded.queued);
  if (recorded.panels.length === 0) return 'already written';
  const status = render ? `${recorded.panels.length} panels queued for rendering` : 'Rendering is off: this bot has no ComfyUI server. The prompts are in /chapter export format:comfyui.';
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId, jobId: job.id }), async () => {
    await showPanels(deps, place, status);
    return `${result.panels.length} panel(s)`;
  });
}
