import { insertAgentExecution } from '../db/agent-log.js';
import type { WorkerDeps } from './deps.js';
import type { AgentName, AgentOutcome } from '../db/database.js';
import type { ModelUsage } from '../agents/model-client.js';

export interface AgentExecution {
  storyId: number | null;
  chapterId?: number | null;
  pageId: number | null;
  agent: AgentName;
  model: string;
  jobId: string | null;
  attempt: number;
  usage: ModelUsage | null;
  latencyMs: number;
  /** For a streamed call: how long until its first text. */
  firstTokenMs?: number | null;
  outcome: AgentOutcome;
  error: string | null;
  /** The take this call (or its share of an `n` request) wrote, 0 for A. */
  take?: number | null;
}

/** One row per model call, successful or not: the source of /usage and of cost questions; and the call's metrics. */
export async function recordAgentExecution(deps: Pick<WorkerDeps, 'db' | 'metrics'>, entry: AgentExecution): Promise<void> {
  deps.metrics.observeModelCall({
    agent: entry.agent,
    outcome: entry.outcome,
    seconds: entry.latencyMs / 1000,
    firstTokenSeconds: entry.firstTokenMs == null ? null : entry.firstTokenMs / 1000,
    usage: entry.usage,
  });
  await insertAgentExecution(deps.db, {
    story_id: entry.storyId,
    chapter_id: entry.chapterId ?? null,
    page_id: entry.pageId,
    agent: entry.agent,
    model: entry.model,
    job_id: entry.jobId,
    attempt: entry.attempt,
    prompt_tokens: entry.usage?.promptTokens ?? 0,
    completion_tokens: entry.usage?.completionTokens ?? 0,
    cached_tokens: entry.usage?.cachedTokens ?? 0,
    latency_ms: entry.latencyMs,
    outcome: entry.outcome,
    error: entry.error ? entry.error.slice(0, 2000) : null,
    take: entry.take ?? null,
  });
}
