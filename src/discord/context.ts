import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';

/** What every handler receives: passed in, never imported as a global. */
export interface HandlerContext {
  db: Db;
  logger: Logger;
  config: Readonly<Config>;
  /** Called after a commit that wrote to the outbox, so the job reaches Redis at once. */
  kickRelay: () => void;
}
