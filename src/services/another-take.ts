import { classifyModelError } from '../agents/model-client.js';
import type { PageRevision } from '../db/database.js';
import { releasePendingTake, type PagePlace } from '../db/pages.js';
import { listRoundTakes } from '../db/revisions.js';
import type { Logger } from '../logger.js';
import type { AgentContext, JobAttempt } from './agent-calls.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from './budget-service.js';
import { recordAddedTake } from './record-draft.js';
import { draftModelFor, writeTakesOfPage } from './write-draft.js';

/** What another take came to: not written (why; the round's pending take released), dropped as the round was decided, or added. */
export type AnotherTakeOutcome =
  | { status: 'over budget' | 'failed'; reason: string }
  | { status: 'stale'; body: string }
  | { status: 'recorded' | 'already_recorded'; revision: PageRevision };

/**
 * Another take for an open round: written from the round's prompt as it is now (narration streamed
 * through `onText`) and added to the round with the next letter. A transient failure with attempts
 * left is thrown for BullMQ to retry.
 */
export async function writeAnotherTake(
  deps: AgentContext,
  request: {
    data: { pageId: number; leadRevisionId: number };
    generationKey: string;
    place: PagePlace;
    lead: PageRevision;
    run: JobAttempt;
    log: Logger;
  },
  onText: (text: string) => void,
): Promise<AnotherTakeOutcome> {
  const { data, generationKey, place, lead, run, log } = request;
  // The budget was checked at the click; spent since (other drafts, renders), the take is not written.
  const budget = await getBudgetStatus(deps.db, place.story_id, deps.config.prices);
  if (isBudgetSpent(budget)) {
    log.info({ storyId: place.story_id, spentUsd: budget.spentUsd }, 'monthly budget spent; another take not written');
    await releasePendingTake(deps.db, place.id);
    return { status: 'over budget', reason: budgetSpentMessage(budget) };
  }
  const model = draftModelFor(deps, place, lead.kind);
  let written: Awaited<ReturnType<typeof writeTakesOfPage>>;
  try {
    const firstTake = (await listRoundTakes(deps.db, lead)).length;
    written = await writeTakesOfPage(
      deps,
      {
        pageId: place.id,
        storyId: place.story_id,
        chapterId: place.chapter_id,
        kind: lead.kind,
        model,
        count: 1,
        jobId: generationKey,
        attempt: run.attempt,
        firstTake,
      },
      (_take, text) => {
        if (lead.kind === 'narration') onText(text);
      },
    );
  } catch (error) {
    const failure = classifyModelError(error);
    if (failure.retryable && run.attempt < run.attempts) throw failure;
    await releasePendingTake(deps.db, place.id);
    return { status: 'failed', reason: failure.userMessage };
  }
  const [take] = written.answer.takes;
  if (!take?.ok) {
    await releasePendingTake(deps.db, place.id);
    return { status: 'failed', reason: take ? take.failure.userMessage : 'The model returned nothing.' };
  }
  const result = await recordAddedTake(deps.db, { ...data, generationKey }, { ...take.value, promptContext: null }, deps.config.review);
  if (result.status === 'stale') return { status: 'stale', body: take.value.body };
  return { status: result.status, revision: result.revision };
}
