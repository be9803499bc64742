import type { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { jobKeyFor } from './jobs.js';

/**
 * Asks the worker to redraw a chapter's pinned progress message, coalescing bursts: every change in
 * one time window shares one job that runs after the window closes, so it sees them all. The message
 * is a view of Postgres, so a request lost with Redis only delays the redraw until the next change.
 */
export class ProgressRefresher {
  constructor(
    private readonly queue: Queue,
    private readonly logger: Logger,
    private readonly windowMs = 1_500,
  ) {}

  refresh(chapterId: number): void {
    const window = Math.floor(Date.now() / this.windowMs);
    this.queue
      .add(
        'refresh-progress',
        { chapterId },
        { jobId: `${jobKeyFor('refresh-progress', { chapterId })}-w${window}`, delay: this.windowMs, attempts: 3, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: 86_400 } },
      )
      .catch((error: unknown) => this.logger.warn({ err: error, chapterId }, 'could not queue a progress refresh'));
  }
}
