import type OpenAI from 'openai';
import type { ModelUsage } from '../agents/model-client.js';
import type { MultipleChoicesMemory } from '../agents/takes.js';
import type { Config } from '../config/config.js';
import { insertAgentExecution } from '../db/agent-log.js';
import type { Db } from '../db/connection.js';
import type { AgentName, AgentOutcome } from '../db/database.js';
import type { Logger } from '../logger.js';

// What a use case that calls the model is given (the worker's kernel satisfies it), and the one log of
// every call it makes.

/** Where each model call's duration and tokens are counted (the worker's Prometheus instruments). */
export interface ModelCallObserver {
  observeModelCall(call: {
    agent: string;
    outcome: string;
    seconds: number;
    firstTokenSeconds: number | null;
    usage: ModelUsage | null;
  }): void;
}

/** A model-calling use case's dependencies. */
export interface AgentContext {
  db: Db;
  model: OpenAI;
  config: Readonly<Config>;
  logger: Logger;
  metrics: ModelCallObserver;
  /** Model servers seen unable to answer `n` choices: their takes go as parallel requests. */
  takesMemory: MultipleChoicesMemory;
}

/** Which run of which job a call belongs to: logged with it, and how a use case knows whether BullMQ will try again. */
export interface JobAttempt {
  jobId: string | null;
  /** This run, counted from 1. */
  attempt: number;
  /** How many runs the job is given. */
  attempts: number;
}

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
  /** The call shared one `n` request with an earlier take's row: counted as no request of its own. */
  sharesRequest?: boolean;
}

/** One row per model call, successful or not: the source of /usage and of cost questions; and the call's metrics. */
export async function recordAgentExecution(deps: Pick<AgentContext, 'db' | 'metrics'>, entry: AgentExecution): Promise<void> {
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
    shares_request: entry.sharesRequest ?? false,
  });
}
