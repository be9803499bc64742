import { classifyModelError, type ModelUsage } from '../agents/model-client.js';
import type { AgentName } from '../db/database.js';
import type { PromptBudget } from '../domain/context-builder.js';
import { recordAgentExecution, type AgentContext, type JobAttempt } from './agent-calls.js';
import { getBudgetStatus, isBudgetSpent } from './budget-service.js';

// What the two advisory agents share (the continuity reviewer, the panels agent): a call that gives
// up quietly after one retry, the story's budget, the prompt budget.

/** Advisory agents retry a transient failure once; after that they give up quietly, never holding up a page. */
const ADVISORY_ATTEMPTS = 2;

export async function overBudget(deps: Pick<AgentContext, 'db' | 'config'>, storyId: number): Promise<boolean> {
  return isBudgetSpent(await getBudgetStatus(deps.db, storyId, deps.config.prices));
}

export const budgetOf = (deps: Pick<AgentContext, 'config'>): PromptBudget => ({
  totalTokens: deps.config.model.promptTokenBudget,
  bibleTokens: deps.config.model.bibleTokenBudget,
});

/** Calls an advisory agent and logs the call; `gaveUp` when it failed for good (logged, not thrown: the caller tells the thread). */
export async function callAdvisory<T extends { usage: ModelUsage }>(
  deps: AgentContext,
  run: JobAttempt,
  entry: { agent: AgentName; model: string; place: { story_id: number; chapter_id: number; id: number } },
  call: () => Promise<T>,
): Promise<T | { gaveUp: string }> {
  const started = Date.now();
  const log = {
    storyId: entry.place.story_id,
    chapterId: entry.place.chapter_id,
    pageId: entry.place.id,
    agent: entry.agent,
    model: entry.model,
    jobId: run.jobId,
    attempt: run.attempt,
  };
  try {
    const result = await call();
    await recordAgentExecution(deps, { ...log, usage: result.usage, latencyMs: Date.now() - started, outcome: 'ok', error: null });
    return result;
  } catch (error) {
    const failure = classifyModelError(error);
    await recordAgentExecution(deps, {
      ...log,
      usage: failure.usage,
      latencyMs: Date.now() - started,
      outcome: failure.outcome,
      error: failure.message,
    });
    if (failure.retryable && run.attempt < ADVISORY_ATTEMPTS) throw failure;
    deps.logger.warn(
      { agent: entry.agent, pageId: entry.place.id, outcome: failure.outcome, err: failure.message },
      'advisory agent gave up; the page goes on without it',
    );
    return { gaveUp: failure.outcome };
  }
}
