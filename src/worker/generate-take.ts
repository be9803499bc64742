import type { Job } from 'bullmq';
import { getPageWithPlace, getRevision, releasePendingTake } from '../db/pages.js';
import { findRevisionByGenerationKey, listRoundTakes } from '../db/revisions.js';
import { renderDraftMessage, type DraftView } from '../views/page-messages.js';
import { generateTakeJob, jobKeyFor } from '../domain/jobs.js';
import { classifyModelError } from '../agents/model-client.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from '../services/budget-service.js';
import { isOpenForVote } from '../services/decide-draft.js';
import { recordAddedTake } from '../services/record-draft.js';
import type { WorkerDeps } from './deps.js';
import { showDraft, whileChapterReachable } from './page-views.js';
import { ProgressEditor } from './progress-editor.js';
import { draftModelFor, writeTakesOfPage } from './write-round.js';

/**
 * Another take for an open round: written from the round's prompt as it is now, shown as it streams,
 * and added to the round with the next letter. A round decided meanwhile drops it.
 */
export async function processGenerateTake(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generateTakeJob.parse(job.data);
  const generationKey = job.id ?? jobKeyFor('generate-take', data);
  const log = deps.logger.child({ pageId: data.pageId, jobId: generationKey, attempt: job.attemptsMade + 1 });
  const place = await getPageWithPlace(deps.db, data.pageId);
  const lead = await getRevision(deps.db, data.leadRevisionId);
  if (!place || !lead || lead.page_id !== data.pageId || place.thread_id === null) return 'page gone';
  const thread = place.thread_id;
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    const recorded = await findRevisionByGenerationKey(deps.db, generationKey);
    if (recorded) {
      await showDraft(deps, { place, revision: recorded, generationKey });
      return 'already recorded';
    }
    if (!isOpenForVote(place, lead)) return 'round already decided';
    const target = { channelId: thread, purpose: 'draft' as const, chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey };
    const view: DraftView = { pageId: place.id, pageNumber: place.number, kind: lead.kind, version: lead.version, revisionId: null, text: '', anotherTake: true };
    const writing = { phase: 'writing' as const, queuePosition: null };
    await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: 'Another take is being written…' }, writing));
    // The budget was checked at the click; spent since (other drafts, renders), the take is not written.
    const budget = await getBudgetStatus(deps.db, place.story_id, deps.config.prices);
    if (isBudgetSpent(budget)) {
      log.info({ storyId: place.story_id, spentUsd: budget.spentUsd }, 'monthly budget spent; another take not written');
      await releasePendingTake(deps.db, place.id);
      await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'dropped', reason: `Another take could not be written: ${budgetSpentMessage(budget)}` }));
      return 'over budget';
    }
    const model = draftModelFor(deps, place, lead.kind);
    const editor = new ProgressEditor(
      deps.streamEditIntervalMs,
      async (text) => {
        await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: `${text} ▍` }, writing));
      },
      (error) => log.warn({ err: error }, 'progress edit failed'),
    );
    let written: Awaited<ReturnType<typeof writeTakesOfPage>>;
    try {
      const firstTake = (await listRoundTakes(deps.db, lead)).length;
      written = await writeTakesOfPage(
        deps,
        { pageId: place.id, storyId: place.story_id, chapterId: place.chapter_id, kind: lead.kind, model, count: 1, jobId: generationKey, attempt: job.attemptsMade + 1, firstTake },
        (_take, text) => {
          if (lead.kind === 'narration') editor.push(text);
        },
      );
    } catch (error) {
      await editor.close();
      const failure = classifyModelError(error);
      if (failure.retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw failure;
      await releasePendingTake(deps.db, place.id);
      await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'dropped', reason: `Another take could not be written: ${failure.userMessage}` }));
      return 'failed';
    }
    await editor.close();
    const [take] = written.answer.takes;
    if (!take?.ok) {
      await releasePendingTake(deps.db, place.id);
      const reason = take ? take.failure.userMessage : 'The model returned nothing.';
      await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'dropped', reason: `Another take could not be written: ${reason}` }));
      return 'failed';
    }
    const result = await recordAddedTake(deps.db, { ...data, generationKey }, { ...take.value, promptContext: null }, deps.config.review);
    if (result.status === 'stale') {
      await deps.messages.upsert(
        target,
        { by: 'generation_key' },
        renderDraftMessage({ ...view, text: take.value.body }, { phase: 'dropped', reason: 'The round was decided before this take was finished; it was not kept.' }),
      );
      return 'stale';
    }
    await showDraft(deps, { place, revision: result.revision, generationKey });
    return result.status;
  });
}
