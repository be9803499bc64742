import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Client, Events, GatewayIntentBits, Options, RESTEvents, Status } from 'discord.js';
import { COMMANDS } from '../../commands/index.js';
import type { BotCluster, Config } from '../config/config.js';
import { botRestOptions } from './bot-rest.js';
import { createDatabase, pingDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { setCommitFollowUps } from '../db/unit-of-work.js';
import { GENERATION_QUEUE, RENDER_QUEUE } from '../queue/jobs.js';
import { PROGRESS_QUEUE, ProgressRefresher } from '../queue/progress-refresher.js';
import { commitFollowUps } from '../queue/commit-follow-ups.js';
import { OutboxRelay } from '../queue/outbox-relay.js';
import { createRedisConnection } from '../queue/redis.js';
import { NO_MENTIONS } from '../views/message-parts.js';
import { createInteractionRouter } from './router.js';
import { InteractionInbox } from './interaction-inbox.js';
import { finishInteraction } from './finish-interaction.js';
import { CommandMentions } from './command-mentions.js';
import { redisIdentifyThrottler } from './identify-throttler.js';
import { startOpsServer, type RunningOpsServer } from '../ops/ops-server.js';
import { ProcessMetrics } from '../ops/metrics.js';
import { registerSharedSeries } from '../ops/shared-series.js';

export interface BotOptions {
  /** How long the client waits for guilds at start-up (discord.js defaults to 15 s). */
  waitGuildTimeoutMs?: number;
  relayIntervalMs?: number;
  progressWindowMs?: number;
  /**
   * Under sharding, the shards this process holds (BOT_CLUSTER): its ops server listens on HTTP_PORT + the
   * process's id (each process answers its own /livez, /readyz and /metrics), its metrics carry
   * `shard` (its shard ids, comma-separated), and only process 0 adds the series read from Postgres and
   * Redis (the same for every process).
   */
  cluster?: BotCluster;
}

export interface RunningBot {
  client: Client;
  /** The HTTP API when HTTP_PORT is set. */
  http: RunningOpsServer | null;
  close(): Promise<void>;
}

/** The form lane's connections in each bot process, beside BOT_DB_CONNECTIONS (a burst of forms shares them in turn). */
const FORM_LANE_CONNECTIONS = 4;

/** Whether every shard of this process holds a live gateway session (the client's own ready flag outlives a dropped connection). */
function gatewayConnected(client: Client): boolean {
  return client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready);
}

/** Shard process N listens on HTTP_PORT + N (a port of 0 stays 0: any free port). */
function httpOfCluster(http: NonNullable<Config['http']>, clusterId: number): NonNullable<Config['http']> {
  return http.port === 0 ? http : { ...http, port: http.port + clusterId };
}

/** The gateway process: answers interactions and changes state in Postgres; it never calls the model. */
export async function startBot(config: Readonly<Config>, logger: Logger, options: BotOptions = {}): Promise<RunningBot> {
  const onPoolError = (error: Error) => logger.warn({ err: error }, 'idle database connection lost; the pool reconnects');
  const db = createDatabase(config.databaseUrl, {
    maxConnections: config.discord.dbConnections,
    // An acknowledged interaction may take minutes to answer: in a burst (a hundred /page start at once)
    // it waits its turn for a connection rather than being told the database cannot be reached.
    connectionWaitMs: 20_000,
    onPoolError,
  });
  // Drawing a form is one read per click and must answer within Discord's 3 s: its own lane.
  const formDb = createDatabase(config.databaseUrl, {
    maxConnections: FORM_LANE_CONNECTIONS,
    // Past 2 s the router answers "press again" (FORM_DEADLINE_MS); the form's read may still finish.
    connectionWaitMs: 20_000,
    onPoolError,
  });
  await migrateToLatest(db);
  const producer = createRedisConnection(config.redis.url, 'producer');
  producer.on('error', (error) => logger.debug({ err: error.message }, 'redis producer connection error'));
  const queue = new Queue(GENERATION_QUEUE, { connection: producer, prefix: config.redis.prefix });
  queue.on('error', (error) => logger.debug({ err: error.message }, 'queue error'));
  const renderQueue = new Queue(RENDER_QUEUE, { connection: producer, prefix: config.redis.prefix });
  renderQueue.on('error', (error) => logger.debug({ err: error.message }, 'render queue error'));
  const relay = new OutboxRelay(db, queue, logger.child({ component: 'relay' }), {
    generationAttempts: config.model.attempts,
    renderQueue,
    intervalMs: options.relayIntervalMs ?? 1_000,
  });

  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: NO_MENTIONS,
    // Every click carries the message it was made on, and the bot reads nothing else from a channel:
    // keeping up to 200 messages per thread (discord.js's default) would only grow with the story.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    ...(options.waitGuildTimeoutMs !== undefined ? { waitGuildTimeout: options.waitGuildTimeoutMs } : {}),
    rest: botRestOptions(config.discord),
    // Several shards in one client: discord.js's gateway manager (@discordjs/ws) holds a connection for each.
    ...(options.cluster ? { shards: [...options.cluster.shardIds], shardCount: options.cluster.shardCount } : {}),
    // Identifies paced across every shard process of the bot (Discord allows max_concurrency per 5 s).
    ws: {
      buildIdentifyThrottler: redisIdentifyThrottler(
        producer,
        `${config.redis.prefix}:identify:${config.discord.applicationId}`,
        logger.child({ component: 'identify' }),
      ),
    },
  });
  const progress = new ProgressRefresher(config.redis, logger.child({ component: 'progress' }), options.progressWindowMs);
  setCommitFollowUps(db, commitFollowUps({ relay, progress, queue, logger }));
  const metrics = new ProcessMetrics('bot', options.cluster ? { shard: options.cluster.shardIds.join(',') } : {});
  client.rest.on(RESTEvents.RateLimited, (info) => {
    metrics.countRateLimit(info.scope, info.global);
    logger.warn({ route: info.route, scope: info.scope, global: info.global, retryAfterMs: info.retryAfter }, 'discord rate limit');
  });
  const mentions = new CommandMentions();
  const context = { db, formDb, logger, config, metrics, mentions };
  const inbox = new InteractionInbox(db, config.discord.interactionLeaseMs, logger.child({ component: 'inbox' }));
  // The raw packet comes just before discord.js's interaction: the router keeps it with the receipt.
  client.on(Events.Raw, (packet: { t?: unknown; d?: unknown }) => inbox.rememberPacket(packet));
  const route = createInteractionRouter(context, COMMANDS, inbox);
  client.on(Events.InteractionCreate, (interaction) => {
    route(interaction).catch((error: unknown) => logger.error({ err: error, interactionId: interaction.id }, 'interaction routing failed'));
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardDisconnect, (_event, shardId) => logger.warn({ shardId }, 'gateway disconnected; reconnecting'));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, (readyClient) => resolve(readyClient)));
  // The identify pacing needs Redis: give the producer connection a moment to be up (it fails fast rather than queue).
  if (producer.status !== 'ready') await Promise.race([once(producer, 'ready').catch(() => undefined), sleep(2_000)]);
  await client.login(config.discord.token);
  const readyClient = await ready;
  relay.start();
  await mentions
    .load(client.rest, config.discord)
    .catch((error: unknown) => logger.warn({ err: error }, 'could not read the registered command ids; hints show plain command names'));
  inbox.start((claimed) => finishInteraction(readyClient, context, COMMANDS, inbox, claimed));
  const serveHttp = config.http ? httpOfCluster(config.http, options.cluster?.id ?? 0) : null;
  const sharedSeries = serveHttp !== null && (options.cluster?.id ?? 0) === 0;
  // Only to count its jobs for /metrics: the progress queue's own producer lives in the ProgressRefresher.
  const progressQueue = sharedSeries ? new Queue(PROGRESS_QUEUE, { connection: producer, prefix: config.redis.prefix }) : null;
  if (sharedSeries)
    registerSharedSeries(metrics.registry, {
      db,
      queues: progressQueue ? [queue, progressQueue] : [queue],
      logger: logger.child({ component: 'metrics' }),
    });
  const readiness = { database: () => pingDatabase(db), redis: () => producer.ping(), discord: () => gatewayConnected(client) };
  const http = serveHttp
    ? await startOpsServer(
        { metrics, readiness, logger: logger.child({ component: 'http' }), metricsToken: serveHttp.token, health: true },
        serveHttp,
      )
    : null;
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'bot ready');

  return {
    client,
    http,
    async close() {
      await http?.close();
      await progressQueue?.close();
      await inbox.stop();
      await client.destroy();
      await relay.stop();
      await progress.close();
      await queue.close();
      await renderQueue.close();
      producer.disconnect();
      await formDb.destroy();
      await db.destroy();
      logger.info('bot stopped');
    },
  };
}
