import type { Queue } from 'bullmq';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import { JOB_SCHEMAS, type JobName } from '../domain/jobs.js';

export interface RelayOptions {
  intervalMs?: number;
  batchSize?: number;
  generationAttempts: number;
  /** A queue call slower than this counts as Redis being down (BullMQ would otherwise wait for it). */
  enqueueTimeoutMs?: number;
}

class EnqueueTimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError(`Redis did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Moves committed outbox rows into BullMQ. Rows are claimed with SKIP LOCKED so any number of
 * relays (bot and workers) can run; the job id is the row's key, so a row relayed twice is one job.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly queue: Queue,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 1_000);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Relay now (after a commit that wrote to the outbox); coalesces with a relay already running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relayPending()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'outbox relay failed; rows stay pending and are retried');
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: returns how many rows were relayed. */
  async relayPending(): Promise<number> {
    const batchSize = this.options.batchSize ?? 100;
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('relayed_at', 'is', null)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const relayed: number[] = [];
      for (const row of rows) {
        const name = row.job_name as JobName;
        const schema = JOB_SCHEMAS[name];
        const parsed = schema.safeParse(row.payload);
        if (!parsed.success) {
          this.logger.error({ outboxId: row.id, jobName: row.job_name }, 'outbox row has an unreadable payload; skipped');
          continue;
        }
        try {
          await withTimeout(
            this.queue.add(name, parsed.data, {
              jobId: row.job_key,
              attempts: name === 'generate-draft' ? this.options.generationAttempts : 5,
              backoff: { type: 'exponential', delay: 1_000 },
              // A job due later waits in Redis as a delayed job; one already due runs at once.
              ...(row.run_at ? { delay: Math.max(0, row.run_at.getTime() - Date.now()) } : {}),
              removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
              removeOnFail: { age: 30 * 24 * 3600 },
            }),
            this.options.enqueueTimeoutMs ?? 3_000,
          );
          relayed.push(row.id);
        } catch (error) {
          // Redis is unreachable: keep this and the remaining rows for the next pass.
          await trx
            .updateTable('outbox')
            .set((eb) => ({ relay_attempts: eb('relay_attempts', '+', 1), last_error: String(error) }))
            .where('id', '=', row.id)
            .execute();
          this.logger.warn({ outboxId: row.id, jobKey: row.job_key, err: error }, 'could not queue outbox row yet');
          break;
        }
      }
      if (relayed.length > 0) {
        await trx.updateTable('outbox').set({ relayed_at: new Date() }).where('id', 'in', relayed).execute();
        this.logger.debug({ count: relayed.length }, 'relayed outbox rows');
      }
      return relayed.length;
    });
  }
}
