import { Queue } from 'bullmq';
import pino from 'pino';
import { GENERATION_QUEUE, RENDER_QUEUE } from '../src/queue/jobs.js';
import { createRedisConnection } from '../src/queue/redis.js';
import { sweepStuckRenders, sweepUnshownDrafts } from '../src/queue/sweeper.js';
import type { StoryroomHarness } from './stack.js';

/** One pass of the sweeper's "open draft without a message" check on the harness's queue, now: how many it queued again. */
export async function sweepUnshownDraftsNow(h: Pick<StoryroomHarness, 'config' | 'database'>): Promise<number> {
  const connection = createRedisConnection(h.config.redis.url, 'producer');
  const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
  try {
    return await sweepUnshownDrafts(h.database.db, queue, pino({ level: 'silent' }), 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** One pass of the sweeper's "render submitted too long with no live job" check, now, with no margin: how many it failed. */
export async function sweepStuckRendersNow(h: Pick<StoryroomHarness, 'config' | 'database'>): Promise<number> {
  const connection = createRedisConnection(h.config.redis.url, 'producer');
  const queue = new Queue(RENDER_QUEUE, { connection, prefix: h.config.redis.prefix });
  try {
    // Ready before the pass: one with nothing to look at sends no command, and closing mid-handshake rejects.
    await queue.waitUntilReady();
    return await sweepStuckRenders(h.database.db, queue, pino({ level: 'silent' }), 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
