import { REST, Routes, ShardingManager } from 'discord.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';

/**
 * How many shards the gateway recommends, asked through the configured API base (discord.js's own
 * helper always asks discord.com, which a Discord-compatible server or the emulator would not see).
 */
export async function recommendedShardCount(discord: Config['discord']): Promise<number> {
  const rest = new REST({ version: '10', ...(discord.apiUrl ? { api: discord.apiUrl } : {}) }).setToken(discord.token);
  const answer = (await rest.get(Routes.gatewayBot())) as { shards?: number };
  return Math.max(1, answer.shards ?? 1);
}

export interface RunningShards {
  manager: ShardingManager;
  close(): Promise<void>;
}

/** One bot process per shard, each started from the same entry point, under discord.js's ShardingManager. */
export async function startShards(config: Readonly<Config>, totalShards: number, logger: Logger): Promise<RunningShards> {
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
    shard.on('death', () => logger.warn({ shardId: shard.id }, 'shard process exited'));
  });
  await manager.spawn({ timeout: 60_000 });
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
