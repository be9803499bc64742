import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as z from 'zod';
import { chooseRenderWorkflow, type RenderWorkflow } from './render-workflow.js';
import { DEFAULT_PRICES, type PriceTable } from '../domain/pricing.js';
import { splitUrlCredentials, url } from './config-fields.js';
import { checkedEnvironment, environmentSchema, webVariables, type LOG_LEVELS } from './environment-schema.js';

/** One bot process's share of the gateway: process `id` holds shards `shardIds` of `shardCount`. */
export interface BotCluster {
  id: number;
  shardIds: readonly number[];
  shardCount: number;
}

export interface Config {
  discord: {
    token: string;
    applicationId: string;
    apiUrl: string | null;
    /** The REST proxy every Discord call but interaction responses goes through (DISCORD_REST_PROXY_URL); null: straight to apiUrl. */
    restProxyUrl: string | null;
    guildId: string | null;
    shards: number | 'auto';
    shardsPerProcess: number;
    /** In one of the bot's shard processes: which process of the bot this is and the shards it holds. */
    cluster: BotCluster | null;
    attachmentOrigins: readonly string[];
    /** How long a process holds an interaction it is finishing; renewed while it works (INTERACTION_LEASE_MS). */
    interactionLeaseMs: number;
    /** Each bot process's Postgres pool (BOT_DB_CONNECTIONS). */
    dbConnections: number;
    /** Tests only: the command or action at which the bot stops after acknowledging, or before replying. */
    testPause: { afterAck: string | null; beforeReply: string | null };
  };
  databaseUrl: string;
  redis: { url: string; prefix: string };
  model: {
    apiKey: string;
    baseUrl: string | null;
    narratorModel: string;
    dialogueModel: string;
    /** What a story's /settings may choose (ALLOWED_MODELS, default the models above). */
    allowedModels: readonly string[];
    timeoutMs: number;
    maxRetries: number;
    attempts: number;
    /** The prompt's size limit, and the part of it the story bible may take. */
    promptTokenBudget: number;
    bibleTokenBudget: number;
    reviewerModel: string;
    panelsModel: string;
    /** Several takes: one request with `n` (auto falls back to parallel requests where `n` fails), or forced. */
    takesStrategy: 'auto' | 'n' | 'parallel';
  };
  review: {
    /** Length of a "minute" in the story's reminder and deadline settings: shortened only in tests and demos. */
    minuteMs: number;
    continuityReview: boolean;
    /** Run the panels agent when a page is approved. */
    panelPrompts: boolean;
  };
  /** The web reader: where readers reach it (published links start with it) and where it listens. */
  web: WebConfig;
  /** The bot's HTTP API: off unless HTTP_PORT is set; every route but health needs the bearer token. */
  /** The bot's /metrics, /livez and /readyz; `token` guards /metrics (METRICS_TOKEN, or HTTP_API_TOKEN when that is unset). */
  http: { port: number; host: string; token: string | null } | null;
  worker: {
    /** The worker's /metrics, /livez and /readyz: off unless WORKER_METRICS_PORT is set. */
    metricsHttp: { port: number; host: string } | null;
    /** The `worker` label on this worker's metrics (WORKER_NAME, default the host's name). */
    name: string;
    concurrency: number;
    /**
     * The worker process's CPU niceness (WORKER_NICENESS, 0–19, default 10): where it shares cores with
     * the bot, the bot's acknowledgements (3 s) go before drafts, which wait seconds on the model anyway.
     */
    niceness: number;
    /** The Discord requests a second this worker counts as its budget when pacing a draft's edits (WORKER_REST_BUDGET). */
    restBudgetPerSecond: number;
    /** The worker's Postgres pool (WORKER_DB_CONNECTIONS, default concurrency + 4). */
    dbConnections: number;
    /** BullMQ lock: a dead worker's job is taken over within about 4/3 of this (see stalledCheckIntervalMs). */
    lockMs: number;
    /** A page generating this long with no live job is queued again by the sweeper. */
    stuckPageMs: number;
    /** After this long a draft being written offers Retry and Cancel. */
    slowGenerationMs: number;
    /** Interaction receipts and finished outbox rows older than this are pruned by the sweeper. */
    retentionMs: number;
  };
  /** What protects the wallet; `prices` is the same table as below, for the monthly budget. */
  limits: { pageStartCooldownMs: number; maxGenerationsPerGuild: number; prices: PriceTable };
  logLevel: (typeof LOG_LEVELS)[number];
  /** US dollars per million tokens, by model: the defaults with MODEL_PRICES laid over them. */
  prices: PriceTable;
  /** Drawing panels with ComfyUI: off (null) unless COMFYUI_URL is set. */
  render: {
    /** Without credentials: those in COMFYUI_URL become `authorization`. */
    comfyUrl: string;
    /** `Basic …` from COMFYUI_URL's `user:password@`, sent with every request and the WebSocket; null without. */
    authorization: string | null;
    checkpoint: string;
    workflow: RenderWorkflow;
    timeoutMs: number;
    concurrency: number;
    /** What one render counts toward a story's monthly budget (your GPU's cost; 0 by default). */
    costUsd: number;
    /** Renders a server may have waiting or running before co-writers' rerolls and retries are refused. */
    maxPerGuild: number;
  } | null;
}

export interface WebConfig {
  /** Without a trailing slash; null when unset (the bot then cannot publish). */
  publicUrl: string | null;
  port: number;
  host: string;
  /** Approved pages per screen of a chapter: longer chapters are split into parts. */
  pagesPerScreen: number;
}

const webConfigOf = (e: { PUBLIC_URL?: string | undefined; WEB_PORT: number; WEB_HOST: string; WEB_PAGES_PER_SCREEN: number }): WebConfig =>
  Object.freeze({
    publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    port: e.WEB_PORT,
    host: e.WEB_HOST,
    pagesPerScreen: e.WEB_PAGES_PER_SCREEN,
  });

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses with a schema; throws ConfigError listing every problem, one line each, without values. */
function parseWith<Schema extends z.ZodType>(schema: Schema, env: Record<string, string | undefined>): z.output<Schema> {
  // Empty strings count as unset so `FOO=` in an env file falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${name} ${message}`;
    });
    throw new ConfigError(problems);
  }
  return result.data;
}

/** The bot's and the worker's configuration, parsed once from the environment. */
export function parseConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Readonly<Config> {
  const e = parseWith(checkedEnvironment, env);
  const workflow = chooseRenderWorkflow(
    {
      file: e.COMFYUI_WORKFLOW,
      mapping: e.COMFYUI_WORKFLOW_MAPPING,
      checkpoint: e.COMFYUI_CHECKPOINT,
      builtIn: e.COMFYUI_BUILTIN_WORKFLOW,
    },
    readFile,
  );
  if (Array.isArray(workflow)) throw new ConfigError(workflow);
  const prices: PriceTable = Object.freeze({ ...DEFAULT_PRICES, ...(e.MODEL_PRICES ?? {}) });
  return Object.freeze({
    discord: Object.freeze({
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      apiUrl: e.DISCORD_API_URL ?? null,
      restProxyUrl: e.DISCORD_REST_PROXY_URL ? e.DISCORD_REST_PROXY_URL.replace(/\/+$/, '') : null,
      guildId: e.DISCORD_GUILD_ID ?? null,
      shards: e.DISCORD_SHARDS,
      shardsPerProcess: e.SHARDS_PER_PROCESS,
      cluster: e.BOT_CLUSTER ? Object.freeze({ ...e.BOT_CLUSTER, shardIds: Object.freeze(e.BOT_CLUSTER.shardIds) }) : null,
      attachmentOrigins: Object.freeze(e.DISCORD_ATTACHMENT_ORIGINS),
      interactionLeaseMs: e.INTERACTION_LEASE_MS,
      dbConnections: e.BOT_DB_CONNECTIONS,
      testPause: Object.freeze({ afterAck: e.TEST_PAUSE_AFTER_ACK ?? null, beforeReply: e.TEST_PAUSE_BEFORE_REPLY ?? null }),
    }),
    databaseUrl: e.DATABASE_URL,
    redis: Object.freeze({ url: e.REDIS_URL, prefix: e.QUEUE_PREFIX }),
    model: Object.freeze({
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL ?? null,
      narratorModel: e.NARRATOR_MODEL,
      dialogueModel: e.DIALOGUE_MODEL,
      allowedModels: Object.freeze(
        e.ALLOWED_MODELS ?? [
          ...new Set([e.NARRATOR_MODEL, e.DIALOGUE_MODEL, e.REVIEWER_MODEL ?? e.NARRATOR_MODEL, e.PANELS_MODEL ?? e.DIALOGUE_MODEL]),
        ],
      ),
      timeoutMs: e.MODEL_TIMEOUT_MS,
      maxRetries: e.MODEL_MAX_RETRIES,
      attempts: e.GENERATION_ATTEMPTS,
      promptTokenBudget: e.PROMPT_TOKEN_BUDGET,
      bibleTokenBudget: Math.min(e.BIBLE_TOKEN_BUDGET, e.PROMPT_TOKEN_BUDGET),
      reviewerModel: e.REVIEWER_MODEL ?? e.NARRATOR_MODEL,
      panelsModel: e.PANELS_MODEL ?? e.DIALOGUE_MODEL,
      takesStrategy: e.TAKES_STRATEGY,
    }),
    review: Object.freeze({
      minuteMs: e.REVIEW_MINUTE_MS,
      continuityReview: e.CONTINUITY_REVIEW === 'on',
      panelPrompts: e.PANEL_PROMPTS === 'on',
    }),
    web: webConfigOf(e),
    http:
      e.HTTP_PORT === undefined
        ? null
        : Object.freeze({ port: e.HTTP_PORT, host: e.HTTP_HOST, token: e.METRICS_TOKEN ?? e.HTTP_API_TOKEN ?? null }),
    worker: Object.freeze({
      metricsHttp: e.WORKER_METRICS_PORT === undefined ? null : Object.freeze({ port: e.WORKER_METRICS_PORT, host: e.WORKER_METRICS_HOST }),
      name: e.WORKER_NAME ?? hostname(),
      concurrency: e.WORKER_CONCURRENCY,
      niceness: e.WORKER_NICENESS,
      restBudgetPerSecond: e.WORKER_REST_BUDGET,
      dbConnections: e.WORKER_DB_CONNECTIONS ?? e.WORKER_CONCURRENCY + 4,
      lockMs: e.WORKER_LOCK_MS,
      stuckPageMs: e.STUCK_PAGE_SECONDS * 1000,
      slowGenerationMs: e.SLOW_GENERATION_SECONDS * 1000,
      retentionMs: e.RETENTION_DAYS * 86_400_000,
    }),
    limits: Object.freeze({
      pageStartCooldownMs: e.PAGE_START_COOLDOWN_SECONDS * 1000,
      maxGenerationsPerGuild: e.MAX_GENERATIONS_PER_GUILD,
      prices,
    }),
    logLevel: e.LOG_LEVEL,
    prices,
    render:
      e.COMFYUI_URL === undefined
        ? null
        : Object.freeze({
            ...comfyAddress(e.COMFYUI_URL),
            checkpoint: e.COMFYUI_CHECKPOINT,
            workflow: Object.freeze(workflow),
            timeoutMs: e.RENDER_TIMEOUT_SECONDS * 1000,
            concurrency: e.RENDER_CONCURRENCY,
            costUsd: e.RENDER_COST_USD,
            maxPerGuild: e.MAX_RENDERS_PER_GUILD,
          }),
  });
}

// The web process reads Postgres only: no Discord, Redis or model variables. The prompt budgets are
// read so the API's next-context answer is built exactly as the worker would build the prompt.
const webEnvironmentSchema = z.object({
  DATABASE_URL: environmentSchema.shape.DATABASE_URL,
  LOG_LEVEL: environmentSchema.shape.LOG_LEVEL,
  HTTP_API_TOKEN: environmentSchema.shape.HTTP_API_TOKEN,
  PROMPT_TOKEN_BUDGET: environmentSchema.shape.PROMPT_TOKEN_BUDGET,
  BIBLE_TOKEN_BUDGET: environmentSchema.shape.BIBLE_TOKEN_BUDGET,
  ...webVariables,
  PUBLIC_URL: url(['http:', 'https:']),
});

export interface WebProcessConfig {
  databaseUrl: string;
  web: WebConfig & { publicUrl: string };
  /** The read-only JSON API answers only with this bearer token; without one it is off. */
  apiToken: string | null;
  promptBudget: { totalTokens: number; bibleTokens: number };
  logLevel: (typeof LOG_LEVELS)[number];
}

/** The web reader's configuration: PUBLIC_URL is required here, since every link and feed entry starts with it. */
export function parseWebConfig(env: Record<string, string | undefined>): Readonly<WebProcessConfig> {
  const e = parseWith(webEnvironmentSchema, env);
  const web = webConfigOf(e) as WebProcessConfig['web'];
  const promptBudget = Object.freeze({
    totalTokens: e.PROMPT_TOKEN_BUDGET,
    bibleTokens: Math.min(e.BIBLE_TOKEN_BUDGET, e.PROMPT_TOKEN_BUDGET),
  });
  return Object.freeze({ databaseUrl: e.DATABASE_URL, web, apiToken: e.HTTP_API_TOKEN ?? null, promptBudget, logLevel: e.LOG_LEVEL });
}

function comfyAddress(text: string): { comfyUrl: string; authorization: string | null } {
  const { url: comfyUrl, authorization } = splitUrlCredentials(text);
  return { comfyUrl, authorization };
}
