import { Redis, type RedisOptions } from 'ioredis';

/**
 * Worker connections block on Redis and must retry forever (BullMQ requires maxRetriesPerRequest: null).
 * Producer connections in the bot fail fast instead, so an interaction never hangs on a Redis outage:
 * its work is already safe in the outbox.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  const redis = new Redis(url, { ...options, retryStrategy: (times) => Math.min(times * 200, 2_000), lazyConnect: false });
  // Without a listener ioredis prints "Unhandled error event" at every failed reconnect. The Queue or
  // Worker that uses the connection reports its errors through its own 'error' event, which is logged.
  redis.on('error', () => undefined);
  return redis;
}

/** Removes every key under a queue prefix: for the demo and tests, which each use a prefix of their own. */
export async function deleteQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: false });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
