import { loadConfigOrExit } from './config/load-config.js';
import { startBot } from './discord/bot-app.js';
import { gatewayPlan, startShards } from './discord/sharding.js';
import { createLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

const config = loadConfigOrExit();
// Inside a shard process the ShardingManager has set SHARDS; otherwise this process decides.
const isShard = process.env.SHARDING_MANAGER === 'true' && process.env.SHARDS !== undefined;
const logger = createLogger({ level: config.logLevel, name: isShard ? `bot-shard-${process.env.SHARDS ?? ''}` : 'bot' });

async function run() {
  if (isShard) return startBot(config, logger, { shard: { id: Number(process.env.SHARDS) } });
  const plan = config.discord.shards === 'auto' || config.discord.shards > 1 ? await gatewayPlan(config.discord) : null;
  const totalShards = config.discord.shards === 'auto' ? (plan?.shards ?? 1) : config.discord.shards;
  if (totalShards > 1) return startShards(config, { totalShards, maxConcurrency: plan?.maxConcurrency ?? 1 }, logger);
  return startBot(config, logger);
}
const running = await run();

closeOnSignals(logger, running);
