import { sumAgentUsage } from '../db/agent-log.js';
import type { Db } from '../db/connection.js';
import { cacheShare, estimateCost, type PriceTable } from '../domain/pricing.js';
import { takeLetter } from '../domain/takes.js';

export interface UsageLine {
  label: string;
  /** Requests as the provider bills them: one request with `n` choices is one, whatever its takes. */
  calls: number;
  /** Rows logged: one per take of an `n` request, so more than `calls` when takes shared a request. */
  rows: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  cost: number;
  cacheShare: number;
}

export interface UsageReport {
  total: UsageLine;
  byChapter: UsageLine[];
  byAgent: UsageLine[];
  byDay: UsageLine[];
  /** Drafts written as takes: each take's share (with `n` the prompt is counted once, on take A). */
  byTake: UsageLine[];
}

/** Tokens, cached tokens and estimated cost of a story's model calls, from the agent log. */
export async function summariseUsage(db: Db, storyId: number, prices: PriceTable, days = 30): Promise<UsageReport> {
  const rows = await sumAgentUsage(db, storyId, new Date(Date.now() - days * 86_400_000));

  const lines = new Map<string, Map<string, UsageLine>>();
  const add = (dimension: string, label: string, row: (typeof rows)[number]) => {
    const table = lines.get(dimension) ?? new Map<string, UsageLine>();
    lines.set(dimension, table);
    const line = table.get(label) ?? {
      label,
      calls: 0,
      rows: 0,
      promptTokens: 0,
      cachedTokens: 0,
      completionTokens: 0,
      cost: 0,
      cacheShare: 0,
    };
    const use = {
      model: row.model,
      promptTokens: Number(row.prompt_tokens),
      cachedTokens: Number(row.cached_tokens),
      completionTokens: Number(row.completion_tokens),
    };
    line.calls += Number(row.calls);
    line.rows += Number(row.rows);
    line.promptTokens += use.promptTokens;
    line.cachedTokens += use.cachedTokens;
    line.completionTokens += use.completionTokens;
    line.cost += estimateCost(use, prices);
    line.cacheShare = cacheShare(line.promptTokens, line.cachedTokens);
    table.set(label, line);
  };
  for (const row of rows) {
    add('total', 'All', row);
    add('chapter', row.chapter_number === null ? 'Outside chapters' : `Chapter ${row.chapter_number}: ${row.chapter_title ?? ''}`, row);
    add('agent', row.agent, row);
    add('day', row.day, row);
    if (row.take !== null) add('take', `Take ${takeLetter(row.take)}`, row);
  }
  const list = (dimension: string) => [...(lines.get(dimension)?.values() ?? [])];
  const empty: UsageLine = {
    label: 'All',
    calls: 0,
    rows: 0,
    promptTokens: 0,
    cachedTokens: 0,
    completionTokens: 0,
    cost: 0,
    cacheShare: 0,
  };
  return {
    total: list('total')[0] ?? empty,
    byChapter: list('chapter').sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true })),
    byAgent: list('agent').sort((a, b) => b.cost - a.cost || a.label.localeCompare(b.label)),
    byDay: list('day')
      .sort((a, b) => b.label.localeCompare(a.label))
      .slice(0, 7),
    byTake: list('take').sort((a, b) => a.label.localeCompare(b.label)),
  };
}
