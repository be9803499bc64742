import type { BotCluster, Config } from '../config/config.js';
import { restApiBase } from '../config/discord-rest.js';

export interface GatewayPlan {
  /** The shard count Discord recommends. */
  shards: number;
  /** Identifies allowed per 5 s (one per bucket, shard_id % maxConcurrency). */
  maxConcurrency: number;
}

/**
 * What GET /gateway/bot says, asked through the configured API base (discord.js's own helper always
 * asks discord.com, which a Discord-compatible server or the emulator would not see). One request with
 * Node's fetch: the manager of the shard processes loads no Discord library at all.
 */
export async function gatewayPlan(discord: Config['discord']): Promise<GatewayPlan> {
  const api = restApiBase(discord) ?? 'https://discord.com/api';
  const response = await fetch(`${api}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } });
  if (!response.ok) throw new Error(`GET /gateway/bot answered ${response.status}`);
  const answer = (await response.json()) as { shards?: number; session_start_limit?: { max_concurrency?: number } };
  return { shards: Math.max(1, answer.shards ?? 1), maxConcurrency: Math.max(1, answer.session_start_limit?.max_concurrency ?? 1) };
}

/**
 * The bot's processes: consecutive shards, `perProcess` to a process (the last may hold fewer). Consecutive
 * ids fall in different max_concurrency buckets, so one process's shards may identify in the same 5 s.
 */
export function planClusters(totalShards: number, perProcess: number): BotCluster[] {
  return Array.from({ length: Math.ceil(totalShards / perProcess) }, (_, id) => ({
    id,
    shardIds: Array.from({ length: Math.min(perProcess, totalShards - id * perProcess) }, (_, i) => id * perProcess + i),
    shardCount: totalShards,
  }));
}
