import { loadConfigOrExit } from './config/load-config.js';
import type { startBot as startBotProcess } from './discord/bot-app.js';
import { CLUSTER_READY_MESSAGE, startClusters } from './discord/cluster-manager.js';
import { gatewayPlan } from './discord/sharding.js';
import { createLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

const config = loadConfigOrExit();
// Inside one of the bot's shard processes the manager has set BOT_CLUSTER; otherwise this process decides.
const { cluster } = config.discord;
const logger = createLogger({ level: config.logLevel, name: cluster ? `bot-shards-${cluster.shardIds.join(',')}` : 'bot' });

// The bot itself is imported only where it runs: the manager of several shard processes holds no client,
// database pool or queue, and stays small (docs/decisions.md, "Shards").
const startBot: typeof startBotProcess = async (...args) => (await import('./discord/bot-app.js')).startBot(...args);

async function run() {
  if (cluster) {
    const bot = await startBot(config, logger, { cluster });
    // The manager is gone (killed, or it never was: BOT_CLUSTER set by hand): nobody would start this
    // process again, so its shards stop with it.
    const orphaned = () => {
      logger.warn('the shard manager is gone; stopping');
      process.kill(process.pid, 'SIGTERM');
    };
    if (process.connected) {
      process.send?.(CLUSTER_READY_MESSAGE);
      process.once('disconnect', orphaned);
    } else setImmediate(orphaned);
    return bot;
  }
  const plan = config.discord.shards === 'auto' || config.discord.shards > 1 ? await gatewayPlan(config.discord) : null;
  const totalShards = config.discord.shards === 'auto' ? (plan?.shards ?? 1) : config.discord.shards;
  if (totalShards > 1) return startClusters(config, { totalShards, maxConcurrency: plan?.maxConcurrency ?? 1 }, logger);
  return startBot(config, logger);
}
const running = await run();

closeOnSignals(logger, running);
