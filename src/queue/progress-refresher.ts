import { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { jobKeyFor } from '../domain/jobs.js';
import { createRedisConnection } from './redis.js';

/** Its own queue, worked by its own BullMQ worker: redrawing a view never takes a draft's place. */
export const PROGRESS_QUEUE = 'progress';

/**
 * Asks the worker to redraw a chapter's pinned progress message, coalescing bursts with BullMQ's
 * deduplication (throttle mode): the first change queues a redraw delayed by the window, and every
 * change until it runs is folded into it (same deduplication id within the ttl), so it sees them all.
 * The message is a view of Postgres, so a request lost with Redis only delays the redraw until the next change.
 */
export class ProgressRefresher {
  private readonly connection;
  private readonly queue: Queue;

  constructor(
    redis: { url: string; prefix: string },
    private readonly logger: Logger,
    private readonly windowMs = 1_500,
  ) {
    this.connection = createRedisConnection(redis.url, 'producer');
    this.connection.on('error', (error) => logger.debug({ err: error.message }, 'progress queue connection error'));
    this.queue = new Queue(PROGRESS_QUEUE, { connection: this.connection, prefix: redis.prefix });
    this.queue.on('error', (error) => logger.debug({ err: error.message }, 'progress queue error'));
  }

  refresh(chapterId: number): void {
    this.add('refresh-progress', { chapterId }, jobKeyFor('refresh-progress', { chapterId }));
  }

  /** Every take's message of a round, after picks: one redraw per window however many picks came. */
  refreshRound(pageId: number, leadRevisionId: number): void {
    this.add('refresh-round', { pageId, leadRevisionId }, jobKeyFor('refresh-round', { pageId, leadRevisionId }));
  }

  private add(name: 'refresh-progress' | 'refresh-round', data: Record<string, number>, deduplicationId: string): void {
    this.queue
      .add(
        name,
        data,
        {
          deduplication: { id: deduplicationId, ttl: this.windowMs },
          delay: this.windowMs,
          attempts: 3,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: true,
          removeOnFail: { age: 86_400 },
        },
      )
      .catch((error: unknown) => this.logger.warn({ err: error, ...data }, `could not queue ${name}`));
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
