import { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { jobKeyFor, jobSpec, type JobData } from '../domain/jobs.js';
import { PROGRESS_QUEUE } from './jobs.js';
import { createRedisConnection } from './redis.js';

export { PROGRESS_QUEUE };

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
    /** The window, or a function asked at each change (a worker stretches it while its REST budget is busy). */
    private readonly windowMs: number | (() => number) = 1_500,
  ) {
    this.connection = createRedisConnection(redis.url, 'producer');
    this.connection.on('error', (error) => logger.debug({ err: error.message }, 'progress queue connection error'));
    this.queue = new Queue(PROGRESS_QUEUE, { connection: this.connection, prefix: redis.prefix });
    this.queue.on('error', (error) => logger.debug({ err: error.message }, 'progress queue error'));
  }

  refresh(chapterId: number): void {
    this.add('refresh-progress', { chapterId });
  }

  /** Every take's message of a round, after picks: one redraw per window however many picks came. */
  refreshRound(pageId: number, leadRevisionId: number): void {
    this.add('refresh-round', { pageId, leadRevisionId });
  }

  /**
   * A page's panels message once its renders settle: two workers ending renders of one page at once
   * each draw what they read, and the older view can land last; this redraw reads Postgres after both.
   */
  refreshPanels(pageId: number): void {
    this.add('refresh-panels', { pageId });
  }

  private add<N extends 'refresh-progress' | 'refresh-round' | 'refresh-panels'>(name: N, data: JobData<N>): void {
    const spec = jobSpec(name);
    const windowMs = typeof this.windowMs === 'number' ? this.windowMs : this.windowMs();
    this.queue
      .add(name, data, {
        deduplication: { id: jobKeyFor(name, data), ttl: windowMs },
        delay: windowMs,
        attempts: spec.attempts === 'model' ? 1 : spec.attempts,
        backoff: { type: 'exponential', delay: spec.backoffMs },
        removeOnComplete: true,
        removeOnFail: { age: 86_400 },
      })
      .catch((error: unknown) => {
        const fields: Record<string, unknown> = { err: error, ...data };
        this.logger.warn(fields, `could not queue ${name}`);
      });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
