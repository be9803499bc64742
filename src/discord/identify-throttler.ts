import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

// Discord lets a bot start `max_concurrency` gateway sessions per 5 s, one per bucket
// (shard_id % max_concurrency), whatever process they come from. discord.js paces the shards of one
// process only; this throttler paces every process of the bot through one Redis key per bucket, set
// for 5 s at each IDENTIFY: a shard respawned seconds after another identified waits its turn.
// Discord times an IDENTIFY when it arrives, some milliseconds after its turn was taken, and not always
// the same number: with turns exactly 5 s apart, one could arrive a few ms early. The margin absorbs that.

const IDENTIFY_INTERVAL_MS = 5_000;
const IDENTIFY_TURN_MS = IDENTIFY_INTERVAL_MS + 500;

/** What discord.js's gateway manager offers a throttler's builder (@discordjs/ws's WebSocketManager). */
interface GatewayInformationSource {
  fetchGatewayInformation(): Promise<{ session_start_limit: { max_concurrency: number } }>;
}

export interface IdentifyThrottler {
  waitForIdentify(shardId: number, signal: AbortSignal): Promise<void>;
}

export class RedisIdentifyThrottler implements IdentifyThrottler {
  constructor(
    private readonly redis: Redis,
    /** Keys are `<keyPrefix>:<bucket>`: one prefix per bot (application). */
    private readonly keyPrefix: string,
    private readonly maxConcurrency: number,
    private readonly logger: Logger,
  ) {}

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const key = `${this.keyPrefix}:${shardId % this.maxConcurrency}`;
    for (;;) {
      signal.throwIfAborted();
      let waitMs: number;
      try {
        if ((await this.redis.set(key, String(shardId), 'PX', IDENTIFY_TURN_MS, 'NX')) === 'OK') return;
        waitMs = await this.redis.pttl(key);
      } catch (error) {
        // Without Redis nothing can be shared: wait a whole interval, which keeps this process within the limit.
        this.logger.warn({ err: error, shardId }, 'identify pacing could not reach Redis; waiting a whole interval');
        await sleep(IDENTIFY_TURN_MS, undefined, { signal });
        return;
      }
      this.logger.debug({ shardId, waitMs }, 'waiting for this shard’s identify slot');
      // A key with no expiry (-1) or gone meanwhile (-2): try again shortly.
      await sleep(waitMs > 0 ? waitMs + Math.floor(Math.random() * 100) : 50, undefined, { signal });
    }
  }
}

/** discord.js's `ws.buildIdentifyThrottler`: max_concurrency is read from GET /gateway/bot. */
export function redisIdentifyThrottler(
  redis: Redis,
  keyPrefix: string,
  logger: Logger,
): (manager: GatewayInformationSource) => Promise<IdentifyThrottler> {
  return async (manager) => {
    const info = await manager.fetchGatewayInformation();
    return new RedisIdentifyThrottler(redis, keyPrefix, Math.max(1, info.session_start_limit.max_concurrency), logger);
  };
}
