import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { REST, Routes, ShardingManager } from 'discord.js';
import type { Config } from '../config/config.js';
import { restApiBase } from '../config/discord-rest.js';
import type { Logger } from '../logger.js';

export interface GatewayPlan {
  /** The shard count Discord recommends. */
  shards: number;
  /** Identifies allowed per 5 s (one per bucket, shard_id % maxConcurrency). */
  maxConcurrency: number;
}

/**
 * What GET /gateway/bot says, asked through the configured API base (discord.js's own helper always
 * asks discord.com, which a Discord-compatible server or the emulator would not see).
 */
export async function gatewayPlan(discord: Config['discord']): Promise<GatewayPlan> {
  const api = restApiBase(discord);
  const rest = new REST({ version: '10', ...(api ? { api } : {}) }).setToken(discord.token);
  const answer = (await rest.get(Routes.gatewayBot())) as { shards?: number; session_start_limit?: { max_concurrency?: number } };
  return { shards: Math.max(1, answer.shards ?? 1), maxConcurrency: Math.max(1, answer.session_start_limit?.max_concurrency ?? 1) };
}

// How long one shard may take to start, once its identify is allowed.
const SHARD_START_MS = 60_000;
const IDENTIFY_INTERVAL_MS = 5_000;

export interface RunningShards {
  manager: ShardingManager;
  close(): Promise<void>;
}

/**
 * One bot process per shard, each started from the same entry point, under discord.js's ShardingManager,
 * which starts a dead shard's process again. They are all started at once: each waits for its turn to
 * identify through Redis (identify-throttler.ts), so the manager needs no delay of its own between them.
 */
export async function startShards(
  config: Readonly<Config>,
  plan: { totalShards: number; maxConcurrency: number },
  logger: Logger,
): Promise<RunningShards> {
  const { totalShards } = plan;
  // Each shard runs the same entry as this process: the bundle under `npm start`, TypeScript through tsx otherwise.
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot tell which entry point to start the shards from');
  const compiled = entry.endsWith('.js');
  const manager = new ShardingManager(entry, {
    token: config.discord.token,
    totalShards,
    execArgv: compiled ? [] : ['--import', 'tsx'],
    respawn: true,
  });
  manager.on('shardCreate', (shard) => {
    logger.info({ shardId: shard.id, totalShards }, 'shard starting');
    // The process id, so an operator (or a test) can tell a respawned shard's process from the one that died.
    shard.on('spawn', (child: ChildProcess | Worker) =>
      logger.info({ shardId: shard.id, processId: 'pid' in child ? child.pid : null }, 'shard process started'),
    );
    shard.on('death', () => logger.warn({ shardId: shard.id }, 'shard process exited; the manager starts it again'));
  });
  // The last bucket's turn comes after ceil(shards / max_concurrency) - 1 intervals.
  const rounds = Math.ceil(totalShards / plan.maxConcurrency);
  await manager.spawn({ amount: totalShards, delay: 0, timeout: SHARD_START_MS + rounds * IDENTIFY_INTERVAL_MS });
  logger.info({ totalShards }, 'all shards ready');
  return {
    manager,
    async close() {
      manager.respawn = false;
      await Promise.all(
        [...manager.shards.values()].map(
          (shard) =>
            new Promise<void>((resolve) => {
              if (!shard.process || shard.process.exitCode !== null) return resolve();
              shard.process.once('exit', () => resolve());
              shard.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
