import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { ProcessMetrics } from '../ops/metrics.js';
import type { CommandMentions } from './command-mentions.js';

/** What every handler receives: passed in, never imported as a global. */
export interface HandlerContext {
  db: Db;
  /**
   * A few connections of their own for drawing forms: a form is the click's acknowledgement, so its
   * one read must not wait behind other handlers' statements for the pool (see the router).
   */
  formDb: Db;
  logger: Logger;
  config: Readonly<Config>;
  /** Clickable mentions of our commands, for hints in replies. */
  mentions: CommandMentions;
  /** The Prometheus instruments /metrics reports. */
  metrics: ProcessMetrics;
}
