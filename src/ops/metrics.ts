import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelUsage } from '../agents/model-client.js';

// The Prometheus instruments of one process. Each process owns a registry of its own (no global
// state), with node's default process metrics; the bot fills the interaction series, the worker the
// job and model series, both the Discord rate-limit counter. Series read from Postgres and Redis
// are added by the bot's scrape collectors (src/ops/shared-series.ts).

export type InteractionKind = 'command' | 'button' | 'select' | 'modal' | 'autocomplete';
export type InteractionOutcome = 'ok' | 'refused' | 'error';

// Interactions are acknowledged in milliseconds and handled in tens of them; jobs and model calls take seconds.
const INTERACTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LONG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120];

export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly interactions: Counter<'kind' | 'outcome'>;
  private readonly interactionSeconds: Histogram<'kind' | 'outcome'>;
  private readonly jobSeconds: Histogram<'job' | 'outcome'>;
  private readonly modelSeconds: Histogram<'agent' | 'outcome'>;
  private readonly firstTokenSeconds: Histogram<'agent'>;
  private readonly tokens: Counter<'agent' | 'type'>;
  private readonly rateLimits: Counter<'scope' | 'global'>;

  /**
   * `instance`: labels on every series of this process, telling apart processes of one kind when they
   * are scraped together or summed: `shard` (the bot's gateway shards it holds) or `worker` (WORKER_NAME).
   */
  constructor(processName: 'bot' | 'worker', instance: { shard?: string; worker?: string } = {}) {
    const labels = Object.fromEntries(Object.entries(instance).filter(([, value]) => value !== undefined)) as Record<string, string>;
    if (Object.keys(labels).length > 0) this.registry.setDefaultLabels(labels);
    // The process name goes on the default metrics only.
    collectDefaultMetrics({ register: this.registry, labels: { process: processName } });
    const registers = [this.registry];
    this.interactions = new Counter({
      name: 'storyroom_interactions_total',
      help: 'Interactions this bot process handled, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.interactionSeconds = new Histogram({
      name: 'storyroom_interaction_duration_seconds',
      help: 'Time from receiving an interaction to having answered it, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: INTERACTION_BUCKETS,
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'storyroom_job_duration_seconds',
      help: 'Time one attempt of a job ran in this worker, by job name and outcome.',
      labelNames: ['job', 'outcome'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.modelSeconds = new Histogram({
      name: 'storyroom_model_request_duration_seconds',
      help: 'Duration of one model call, by agent and outcome.',
      labelNames: ['agent', 'outcome'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.firstTokenSeconds = new Histogram({
      name: 'storyroom_model_time_to_first_token_seconds',
      help: 'Time from a streamed model call to its first text, by agent.',
      labelNames: ['agent'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'storyroom_model_token_usage_total',
      help: 'Model tokens this worker used, by agent and type: input (not from the cache), cached_input and output; the three sum to every token.',
      labelNames: ['agent', 'type'],
      registers,
    });
    this.rateLimits = new Counter({
      name: 'storyroom_discord_rate_limits_total',
      help: "Discord REST rate limits this process ran into (discord.js's RateLimited event), by scope and whether global.",
      labelNames: ['scope', 'global'],
      registers,
    });
  }

  observeInteraction(kind: InteractionKind, outcome: InteractionOutcome, seconds: number): void {
    this.interactions.inc({ kind, outcome });
    this.interactionSeconds.observe({ kind, outcome }, seconds);
  }

  observeJob(job: string, outcome: 'ok' | 'failed', seconds: number): void {
    this.jobSeconds.observe({ job, outcome }, seconds);
  }

  observeModelCall(call: {
    agent: string;
    outcome: string;
    seconds: number;
    firstTokenSeconds: number | null;
    usage: ModelUsage | null;
  }): void {
    this.modelSeconds.observe({ agent: call.agent, outcome: call.outcome }, call.seconds);
    if (call.firstTokenSeconds !== null) this.firstTokenSeconds.observe({ agent: call.agent }, call.firstTokenSeconds);
    if (!call.usage) return;
    const cached = Math.min(call.usage.cachedTokens, call.usage.promptTokens);
    this.tokens.inc({ agent: call.agent, type: 'input' }, call.usage.promptTokens - cached);
    this.tokens.inc({ agent: call.agent, type: 'cached_input' }, cached);
    this.tokens.inc({ agent: call.agent, type: 'output' }, call.usage.completionTokens);
  }

  countRateLimit(scope: string, global: boolean): void {
    this.rateLimits.inc({ scope, global: String(global) });
  }

  /** The exposition text and its content type, for a /metrics route. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
