import { time, TimestampStyles } from '@discordjs/formatters';
import { estimateCost, type PriceTable } from '../domain/pricing.js';
import { sumAgentTokensByModel } from '../db/agent-log.js';
import type { Executor } from '../db/executor.js';
import { sumRenderCostOfStorySince } from '../db/panel-renders.js';
import { getStory } from '../db/stories.js';
import { UserError } from './user-error.js';

export interface BudgetStatus {
  budgetUsd: number | null;
  spentUsd: number;
  /** The first moment of next month (UTC), when the spend starts again from zero. */
  resetsAt: Date;
}

/**
 * The story's estimated spend this calendar month (UTC), against its budget: the model calls priced
 * like /usage from the agent log, plus its panel renders at the cost recorded with each.
 */
export async function getBudgetStatus(db: Executor, storyId: number, prices: PriceTable): Promise<BudgetStatus> {
  const story = await getStory(db, storyId);
  if (!story) throw new Error(`story ${storyId} not found`);
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const rows = await sumAgentTokensByModel(db, storyId, monthStart);
  const renderUsd = await sumRenderCostOfStorySince(db, storyId, monthStart);
  const spentUsd = rows.reduce(
    (sum, row) =>
      sum +
      estimateCost(
        { model: row.model, promptTokens: Number(row.prompt), cachedTokens: Number(row.cached), completionTokens: Number(row.completion) },
        prices,
      ),
    renderUsd,
  );
  return {
    budgetUsd: story.monthly_budget_usd === null ? null : Number(story.monthly_budget_usd),
    spentUsd,
    resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/** The story has a budget and this month's spend has reached it. */
export function isBudgetSpent(status: BudgetStatus): boolean {
  return status.budgetUsd !== null && status.spentUsd >= status.budgetUsd;
}

export function budgetSpentMessage(status: BudgetStatus): string {
  return `This story's monthly budget of $${status.budgetUsd?.toFixed(2)} is spent ($${status.spentUsd.toFixed(2)} so far this month), so no new drafts are written until an admin raises it with /settings budget, or the month turns (${time(status.resetsAt, TimestampStyles.LongDate)}).`;
}

/** Refuses a new generation once the month's spend has reached the story's budget. */
export async function assertWithinBudget(db: Executor, storyId: number, prices: PriceTable): Promise<void> {
  const status = await getBudgetStatus(db, storyId, prices);
  if (isBudgetSpent(status)) throw new UserError(budgetSpentMessage(status));
}
