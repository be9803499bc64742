import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as z from 'zod';
import { DEFAULT_CHECKPOINT } from '../domain/comfyui-workflow.js';
import { chooseRenderWorkflow, type RenderWorkflow } from './render-workflow.js';
import { DEFAULT_PRICES, type PriceTable } from '../domain/pricing.js';
import { bearerToken, jsonText, positiveInt, snowflake, splitUrlCredentials, url } from './config-fields.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// The web reader's variables: the bot reads PUBLIC_URL too, to post the links it publishes.
const webVariables = {
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  WEB_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PAGES_PER_SCREEN: z.coerce.number().int().min(1).max(200).default(20),
};

// Every variable the processes read. Optional where a safe default exists; secrets are never echoed.
const environmentSchema = z.object({
  DISCORD_TOKEN: z.string().min(1, 'is required (the bot token from the Discord developer portal)'),
  DISCORD_APPLICATION_ID: snowflake,
  DISCORD_API_URL: url(['http:', 'https:']).optional(),
  // Where the bot's one REST proxy listens (npm run rest-proxy): every process's Discord calls then share one limit.
  DISCORD_REST_PROXY_URL: url(['http:', 'https:']).optional(),
  DISCORD_GUILD_ID: snowflake.optional(),
  // Where attachment downloads may come from: origins (scheme, host, port), comma-separated.
  DISCORD_ATTACHMENT_ORIGINS: z
    .string()
    .default('https://cdn.discordapp.com,https://media.discordapp.net')
    .transform((text, ctx) => {
      const origins: string[] = [];
      for (const part of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        try {
          origins.push(new URL(part).origin);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not a URL origin such as https://cdn.discordapp.com` });
        }
      }
      return origins;
    }),
  // How long a bot process holds an interaction it is finishing before another may take it over.
  INTERACTION_LEASE_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  // Tests only (a loopback DISCORD_API_URL): stop the bot at a point of handling this command or button action.
  TEST_PAUSE_AFTER_ACK: z.string().min(1).max(100).optional(),
  TEST_PAUSE_BEFORE_REPLY: z.string().min(1).max(100).optional(),
  DISCORD_SHARDS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(1_000)]).default('auto'),
  // Gateway shards one bot process holds (docs/decisions.md, "Shards"): up to 8, every shard in one process.
  SHARDS_PER_PROCESS: z.coerce.number().int().min(1).max(1_000).default(8),
  // Set by the bot for each of its shard processes (src/discord/cluster-manager.ts), never by hand.
  BOT_CLUSTER: jsonText
    .pipe(
      z.object({
        id: z.number().int().min(0),
        shardIds: z.array(z.number().int().min(0)).min(1),
        shardCount: z.number().int().min(1),
      }),
    )
    .optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/i, 'must be 1–40 letters, digits, - or _')
    .default('storyroom'),
  OPENAI_API_KEY: z.string().min(1).default('not-needed'),
  OPENAI_BASE_URL: url(['http:', 'https:']).optional(),
  NARRATOR_MODEL: z.string().min(1).default('gpt-4o-mini'),
  DIALOGUE_MODEL: z.string().min(1).default('gpt-4o-mini'),
  REVIEWER_MODEL: z.string().min(1).optional(),
  PANELS_MODEL: z.string().min(1).optional(),
  CONTINUITY_REVIEW: z.enum(['on', 'off']).default('on'),
  PANEL_PROMPTS: z.enum(['on', 'off']).default('on'),
  MODEL_TIMEOUT_MS: positiveInt(60_000),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(3).default(1),
  TAKES_STRATEGY: z.enum(['auto', 'n', 'parallel']).default('auto'),
  GENERATION_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKER_REST_BUDGET: z.coerce.number().min(1).max(50).default(50),
  PROMPT_TOKEN_BUDGET: z.coerce.number().int().min(1_000).max(1_000_000).default(16_000),
  BIBLE_TOKEN_BUDGET: z.coerce.number().int().min(0).max(1_000_000).default(6_000),
  WORKER_DB_CONNECTIONS: z.coerce.number().int().min(2).max(200).optional(),
  BOT_DB_CONNECTIONS: z.coerce.number().int().min(2).max(200).default(20),
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  STUCK_PAGE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(7),
  SLOW_GENERATION_SECONDS: z.coerce.number().int().min(1).max(3_600).default(90),
  PAGE_START_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3_600).default(20),
  MAX_GENERATIONS_PER_GUILD: z.coerce.number().int().min(1).max(100).default(3),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  REVIEW_MINUTE_MS: z.coerce.number().int().min(10).max(60_000).default(60_000),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  // Two doors, two tokens: METRICS_TOKEN opens the bot's /metrics, HTTP_API_TOKEN the web process's content API.
  METRICS_TOKEN: bearerToken.optional(),
  HTTP_API_TOKEN: bearerToken.optional(),
  ...webVariables,
  COMFYUI_URL: url(['http:', 'https:']).optional(),
  COMFYUI_CHECKPOINT: z.string().min(1).max(200).default(DEFAULT_CHECKPOINT),
  COMFYUI_WORKFLOW: z.string().min(1).optional(),
  /** The built-in graph when no COMFYUI_WORKFLOW is given: plain SDXL, or SDXL with IPAdapter reference slots. */
  COMFYUI_BUILTIN_WORKFLOW: z.enum(['sdxl', 'sdxl-ipadapter']).default('sdxl'),
  COMFYUI_WORKFLOW_MAPPING: jsonText.pipe(z.record(z.string(), z.unknown(), 'must be a JSON object')).optional(),
  RENDER_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3_600).default(300),
  RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  RENDER_COST_USD: z.coerce.number().min(0).max(100).default(0),
  MAX_RENDERS_PER_GUILD: z.coerce.number().int().min(1).max(1_000).default(20),
  // Models a story's /settings may choose, comma-separated; default: the models configured here.
  ALLOWED_MODELS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .optional(),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // The `worker` label on a worker's metrics (default: the host's name).
  WORKER_NAME: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'must be 1–64 letters, digits, _ . : or -')
    .optional(),
  MODEL_PRICES: jsonText
    .pipe(
      z.record(
        z.string(),
        z.object({ input: z.number().nonnegative(), cachedInput: z.number().nonnegative(), output: z.number().nonnegative() }),
      ),
    )
    .optional(),
});

// Cross-field rules, each reported on the variable to fix.
const checkedEnvironment = environmentSchema.superRefine((e, ctx) => {
  // Before METRICS_TOKEN existed HTTP_API_TOKEN opened /metrics too; it still does when METRICS_TOKEN is unset.
  if (e.HTTP_PORT !== undefined && e.METRICS_TOKEN === undefined && e.HTTP_API_TOKEN === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['METRICS_TOKEN'],
      message: "is required when HTTP_PORT is set (the bot's /metrics answers only with this bearer token)",
    });
  }
  if (e.METRICS_TOKEN !== undefined && e.METRICS_TOKEN === e.HTTP_API_TOKEN) {
    ctx.addIssue({
      code: 'custom',
      path: ['METRICS_TOKEN'],
      message: 'must differ from HTTP_API_TOKEN (whoever scrapes metrics must not read the stories)',
    });
  }
  for (const name of ['TEST_PAUSE_AFTER_ACK', 'TEST_PAUSE_BEFORE_REPLY'] as const) {
    if (e[name] !== undefined && !isLoopback(e.DISCORD_API_URL))
      ctx.addIssue({ code: 'custom', path: [name], message: 'is for tests only: it needs DISCORD_API_URL on 127.0.0.1 or localhost' });
  }
  if (e.COMFYUI_WORKFLOW !== undefined && e.COMFYUI_WORKFLOW_MAPPING === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['COMFYUI_WORKFLOW_MAPPING'],
      message: 'is required with COMFYUI_WORKFLOW: say which node input takes positive, negative, seed, width and height',
    });
  }
});

const isLoopback = (address: string | undefined) =>
  address !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(address).hostname);

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
    /** The REST proxy every Discord call goes through (DISCORD_REST_PROXY_URL); null: straight to apiUrl. */
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
