import { randomBytes } from 'node:crypto';
import { parseConfig, parseWebConfig, type Config } from '../src/config/config.js';
import { startWebServer, type RunningWeb } from '../src/web/web-server.js';
import { startBot, type RunningBot } from '../src/discord/bot-app.js';
import { registerCommands } from '../src/discord/register-commands.js';
import { createLogger } from '../src/logger.js';
import { deleteQueueKeys } from '../src/queue/redis.js';
import { startWorker, type RunningWorker } from '../src/worker/worker-app.js';
import { ComfyServer, type ComfyServerOptions } from './comfyui/server.js';
import { DiscordEmulator } from './discord/emulator.js';
import { ModelServer } from './model/server.js';
import { REDIS_URL } from './local-redis.js';
import { TcpProxy } from './tcp-proxy.js';
import { ADMIN_PERMISSIONS } from './writers-room.js';
import { createTestDatabase, type TestDatabase } from './local-database.js';
import { freePort } from './free-port.js';

export interface StoryroomHarness {
  discord: DiscordEmulator;
  model: ModelServer;
  /** The loopback ComfyUI, when the harness was started with `comfyui`. */
  comfy: ComfyServer | null;
  database: TestDatabase;
  config: Readonly<Config>;
  bot: RunningBot | null;
  worker: RunningWorker | null;
  /** The web reader, when started with `web: true`; PUBLIC_URL is its own address. */
  web: RunningWeb | null;
  /** The environment the processes were configured from: child processes of a test start with it. */
  env: Record<string, string>;
  /** Present when the harness was started with `proxy: true`: cut() makes the server disappear. */
  proxies: { postgres: TcpProxy; redis: TcpProxy } | null;
  guildId: string;
  storyChannelId: string;
  adminId: string;
  /** Stop the in-process worker (as a crash or deploy would), and start a fresh one later. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Start the bot and the worker in this process (default true each). */
  bot?: boolean;
  worker?: boolean;
  /** Start the web reader too (default false). */
  web?: boolean;
  /** Reach Postgres and Redis through proxies the test can cut. */
  proxy?: boolean;
  /** Options for the Discord emulator (e.g. how many shards the gateway recommends). */
  discord?: { shards?: number; maxConcurrency?: number };
  env?: Record<string, string>;
  /** Start the loopback ComfyUI and point COMFYUI_URL at it. */
  comfyui?: ComfyServerOptions;
  /** Where the processes' log lines go (default stdout), so a test can read what would be logged. */
  logDestination?: NodeJS.WritableStream;
}

/**
 * The whole product on loopback: the real bot (discord.js on the emulator), the real worker
 * (BullMQ on Redis, the openai SDK on the model server), and a database of this file's own.
 */
export async function startStoryroom(label: string, options: HarnessOptions = {}): Promise<StoryroomHarness> {
  const database = await createTestDatabase(label);
  const discord = await DiscordEmulator.start(options.discord ?? {});
  const model = await ModelServer.start();
  const comfy = options.comfyui ? await ComfyServer.start(options.comfyui) : null;
  const guild = discord.createGuild({ name: `${label} guild` });
  const channel = discord.createChannel(guild.id, { name: 'story' });
  const admin = discord.createUser({ username: 'admin' });
  discord.addMember(guild.id, admin.id, { permissions: ADMIN_PERMISSIONS });
  const proxies = options.proxy
    ? {
        postgres: await TcpProxy.start(Number(new URL(database.url).port || 5432)),
        redis: await TcpProxy.start(Number(new URL(REDIS_URL).port || 6379)),
      }
    : null;
  const webPort = options.web ? await freePort() : null;
  const env: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_ATTACHMENT_ORIGINS: discord.attachmentOrigin,
    DISCORD_GUILD_ID: guild.id,
    DATABASE_URL: proxies ? proxies.postgres.rewrite(database.url) : database.url,
    REDIS_URL: proxies ? proxies.redis.rewrite(REDIS_URL) : REDIS_URL,
    QUEUE_PREFIX: `test-${label}-${randomBytes(3).toString('hex')}`,
    OPENAI_API_KEY: 'loopback',
    OPENAI_BASE_URL: model.baseURL,
    MODEL_TIMEOUT_MS: '3000',
    MODEL_MAX_RETRIES: '0',
    GENERATION_ATTEMPTS: '2',
    WORKER_CONCURRENCY: '2',
    // The limits have tests of their own; elsewhere they would only slow the story down.
    PAGE_START_COOLDOWN_SECONDS: '0',
    MAX_GENERATIONS_PER_GUILD: '20',
    // The advisory agents add model calls after drafts and approvals; the tests of them turn them on.
    CONTINUITY_REVIEW: 'off',
    PANEL_PROMPTS: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(webPort ? { PUBLIC_URL: `http://127.0.0.1:${webPort}`, WEB_PORT: String(webPort) } : {}),
    ...(comfy ? { COMFYUI_URL: comfy.baseUrl } : {}),
    ...options.env,
  };
  const config = parseConfig(env);
  await registerCommands(config.discord);
  const logger = createLogger({
    level: config.logLevel,
    name: label,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const bot =
    options.bot === false
      ? null
      : await startBot(config, logger.child({ process: 'bot' }), { waitGuildTimeoutMs: 200, relayIntervalMs: 250, progressWindowMs: 300 });
  const launchWorker = () =>
    startWorker(config, logger.child({ process: 'worker' }), { streamEditIntervalMs: 30, relayIntervalMs: 250, progressWindowMs: 300 });
  const worker = options.worker === false ? null : await launchWorker();
  const web = options.web ? await startWebServer(parseWebConfig(env), logger.child({ process: 'web' })) : null;

  const harness: StoryroomHarness = {
    discord,
    model,
    comfy,
    database,
    config,
    bot,
    worker,
    web,
    env,
    proxies,
    guildId: guild.id,
    storyChannelId: channel.id,
    adminId: admin.id,
    async stopWorker() {
      await harness.worker?.close();
      harness.worker = null;
    },
    async startWorker() {
      if (!harness.worker) harness.worker = await launchWorker();
    },
    async close() {
      proxies?.postgres.restore();
      proxies?.redis.restore();
      await harness.worker?.close();
      await web?.close();
      await bot?.close();
      await proxies?.postgres.close();
      await proxies?.redis.close();
      await discord.close();
      await model.close();
      await comfy?.close();
      await deleteQueueKeys(options.env?.REDIS_URL ?? REDIS_URL, config.redis.prefix);
      await database.drop();
    },
  };
  return harness;
}
