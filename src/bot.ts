import { loadConfigOrExit } from './config/load-config.js';
import { startBot } from './discord/bot-app.js';
import { recommendedShardCount, startShards } from './discord/sharding.js';
import { createLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

const config = loadConfigOrExit();
// Inside a shard process the ShardingManager has set SHARDS; otherwise this process decides.
const isShard = process.env.SHARDING_MANAGER === 'true' && process.env.SHARDS !== undefined;
const logger = createLogger({ level: config.logLevel, name: isShard ? `bot-shard-${process.env.SHARDS ?? ''}` : 'bot' });

const shardCount = isShard ? 1 : config.discord.shards === 'auto' ? await recommendedShardCount(config.discord) : config.discord.shards;
const running =
  shardCount > 1
    ? await startShards(config, shardCount, logger)
    : await startBot(config, logger, { serveHttp: !isShard || process.env.SHARDS === '0' });

closeOnSignals(logger, running);
