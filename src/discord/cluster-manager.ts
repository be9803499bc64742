import { fork, type ChildProcess } from 'node:child_process';
import type { BotCluster, Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import { planClusters } from './sharding.js';

// How long one process may take to start its shards, once their identifies are allowed.
const CLUSTER_START_MS = 60_000;
const IDENTIFY_INTERVAL_MS = 5_000;
// A process that dies again before it is ready waits twice as long each time, up to a minute.
const FIRST_RESPAWN_DELAY_MS = 1_000;
const MAX_RESPAWN_DELAY_MS = 60_000;
// A process that does not close within this after SIGTERM is killed.
const STOP_TIMEOUT_MS = 30_000;

/** What a shard process tells the manager over IPC once its shards are ready (src/bot.ts). */
export const CLUSTER_READY_MESSAGE = 'storyroom:cluster-ready';

export interface RunningClusters {
  close(): Promise<void>;
}

/** One process of the bot and what the manager knows of it. */
interface ClusterSlot {
  cluster: BotCluster;
  child: ChildProcess | null;
  /** Deaths since the process last reported ready: the respawn backoff. */
  failures: number;
  respawnTimer: NodeJS.Timeout | null;
  /** Resolved when the first process of this slot reports ready. */
  ready: Promise<void>;
  markReady: () => void;
}

/**
 * The bot's gateway shards in ceil(total / SHARDS_PER_PROCESS) child processes, each one discord.js
 * client holding its shards (docs/decisions.md, "Shards"), forked from this process's own entry with
 * BOT_CLUSTER saying which shards. A process that dies is started again after a backoff. They all start
 * at once: every shard waits for its turn to identify through Redis (identify-throttler.ts).
 */
export async function startClusters(
  config: Readonly<Config>,
  plan: { totalShards: number; maxConcurrency: number },
  logger: Logger,
): Promise<RunningClusters> {
  const { totalShards } = plan;
  // Each process runs the same entry as this one: the bundle under `npm start`, TypeScript through tsx otherwise.
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot tell which entry point to start the shard processes from');
  const execArgv = entry.endsWith('.js') ? [] : ['--import', 'tsx'];
  let stopping = false;

  const slots = planClusters(totalShards, config.discord.shardsPerProcess).map((cluster): ClusterSlot => {
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    return { cluster, child: null, failures: 0, respawnTimer: null, ready, markReady };
  });

  const spawn = (slot: ClusterSlot): void => {
    const { id, shardIds } = slot.cluster;
    const child = fork(entry, [], { execArgv, env: { ...process.env, BOT_CLUSTER: JSON.stringify(slot.cluster) } });
    slot.child = child;
    // The process id, so an operator (or a test) can tell a started-again process from the one that died.
    logger.info({ cluster: id, shardIds, processId: child.pid }, 'shard process started');
    child.on('message', (message) => {
      if (message !== CLUSTER_READY_MESSAGE) return;
      slot.failures = 0;
      slot.markReady();
    });
    child.once('exit', (code, signal) => {
      slot.child = null;
      if (stopping) return;
      slot.failures += 1;
      const delayMs = Math.min(FIRST_RESPAWN_DELAY_MS * 2 ** (slot.failures - 1), MAX_RESPAWN_DELAY_MS);
      logger.warn({ cluster: id, shardIds, code, signal, respawnInMs: delayMs }, 'shard process exited; starting it again');
      slot.respawnTimer = setTimeout(() => {
        slot.respawnTimer = null;
        if (!stopping) spawn(slot);
      }, delayMs);
    });
  };

  const close = async (): Promise<void> => {
    stopping = true;
    await Promise.all(slots.map((slot) => stopSlot(slot)));
  };

  for (const slot of slots) spawn(slot);
  // The last bucket's turn comes after ceil(shards / max_concurrency) - 1 intervals.
  const startMs = CLUSTER_START_MS + Math.ceil(totalShards / plan.maxConcurrency) * IDENTIFY_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the shard processes were not ready within ${startMs} ms`)), startMs);
  });
  try {
    await Promise.race([Promise.all(slots.map((slot) => slot.ready)), timedOut]);
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  logger.info({ totalShards, processes: slots.length }, 'all shards ready');
  return { close };
}

/** SIGTERM (the process closes its shards, its inbox and its connections), SIGKILL if that takes too long. */
async function stopSlot(slot: ClusterSlot): Promise<void> {
  if (slot.respawnTimer) clearTimeout(slot.respawnTimer);
  const { child } = slot;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(forced);
}
