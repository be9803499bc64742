import type { Job } from 'bullmq';
import { classifyModelError, type ModelUsage } from '../agents/model-client.js';
import type { AgentName } from '../db/database.js';
import { renderAdvisoryNotice } from '../views/advisory-notice.js';
import { getBudgetStatus, isBudgetSpent } from '../services/budget-service.js';
import { recordAgentExecution } from './agent-log.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';

// What the two advisory agents share (the continuity reviewer, the panels agent): a call that gives
// up quietly after one retry, the thread told with a Retry button, the story's budget, the prompt budget.

/** Advisory agents retry a transient failure once; after that they give up quietly, never holding up a page. */
const ADVISORY_ATTEMPTS = 2;

export async function overBudget(deps: WorkerDeps, storyId: number): Promise<boolean> {
  return isBudgetSpent(await getBudgetStatus(deps.db, storyId, deps.config.prices));
}

/** Calls an advisory agent and logs the call; `gaveUp` when it failed for good (logged, and told in the thread, not thrown). */
export async function callAdvisory<T extends { usage: ModelUsage }>(
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
export async function tellGaveUp(deps: WorkerDeps, notice: { agent: 'reviewer' | 'panels'; place: PagePlace; revisionId: number; label: string; reason: string; round: number }): Promise<void> {
  const { place } = notice;
  if (place.thread_id === null) return;
  const body = renderAdvisoryNotice({ ...notice, pageId: place.id, pageNumber: place.number, reason: REASONS[notice.reason] ?? 'the model failed' });
  await whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId: place.id }), async () => {
    await deps.messages.post(place.thread_id ?? '', body);
    return 'told';
  });
}

export const budgetOf = (deps: WorkerDeps) => ({ totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget });
