import * as z from 'zod';
import { DEFAULT_CHECKPOINT } from '../domain/comfyui-workflow.js';
import { bearerToken, jsonText, positiveInt, snowflake, url } from './config-fields.js';

// Every environment variable the processes read, and the rules across them: parsed by config.ts.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// The web reader's variables: the bot reads PUBLIC_URL too, to post the links it publishes.
export const webVariables = {
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  WEB_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PAGES_PER_SCREEN: z.coerce.number().int().min(1).max(200).default(20),
};

// Every variable the processes read. Optional where a safe default exists; secrets are never echoed.
export const environmentSchema = z.object({
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
  WORKER_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
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
export const checkedEnvironment = environmentSchema.superRefine((e, ctx) => {
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
