import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { OutboxJob } from '../db/outbox.js';
import type { Logger } from '../logger.js';
import type { ProcessMetrics } from '../ops/metrics.js';
import type { CommandMentions } from './command-mentions.js';

/** What every handler receives: passed in, never imported as a global. */
export interface HandlerContext {
  db: Db;
  logger: Logger;
  config: Readonly<Config>;
  /** Called after a commit that wrote to the outbox with the jobs it wrote, so they reach Redis at once. */
  kickRelay: (jobs: readonly OutboxJob[]) => void;
  /** Clickable mentions of our commands, for hints in replies. */
  mentions: CommandMentions;
  /** The Prometheus instruments /metrics reports. */
  metrics: ProcessMetrics;
  /** Ask for a chapter's pinned progress message to be redrawn (coalesced; never throws). */
  refreshProgress: (chapterId: number) => void;
  /** Ask for every take's message of a round to be redrawn (coalesced; never throws). */
  refreshRound: (pageId: number, leadRevisionId: number) => void;
  /** Drop a decided draft's reminder and deadline jobs from the queue (best effort: they also check when due). */
  cancelReviewJobs: (revisionId: number) => void;
}
