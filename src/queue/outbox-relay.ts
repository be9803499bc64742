import type { JobsOptions, Queue } from 'bullmq';
import type { Db } from '../db/connection.js';
import { claimPendingOutboxRows, markOutboxRowsRelayed, recordOutboxRelayFailure, type OutboxJob } from '../db/outbox.js';
import { isJobName, jobSpec } from '../domain/jobs.js';
import type { Logger } from '../logger.js';

export interface RelayOptions {
  intervalMs?: number;
  batchSize?: number;
  /** MODEL_ATTEMPTS: the attempts of jobs declared with `attempts: 'model'`. */
  generationAttempts: number;
  /** A queue call slower than this counts as Redis being down (BullMQ would otherwise wait for it). */
  enqueueTimeoutMs?: number;
  /** Where render jobs go; without it they stay in the outbox for a relay that has one. */
  renderQueue?: Queue;
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
 * Moves committed outbox rows into BullMQ. The job id is the row's key, so a job added twice is one
 * job: that lets the committing process add its jobs at once (`kick(jobs)`) and mark their rows
 * relayed afterwards in batches, off the click's path. Rows nobody added (a process died, Redis was
 * down) are claimed with SKIP LOCKED by the periodic pass of any relay, in the bot or a worker.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  /** Keys added to BullMQ whose rows are not yet marked relayed. */
  private toMark: string[] = [];
  private marking: Promise<void> | null = null;
  private readonly adding = new Set<Promise<void>>();

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

  /**
   * After a commit that wrote to the outbox: the jobs it wrote go to BullMQ now; without jobs, a pass
   * over pending rows runs (coalescing with one already running).
   */
  kick(jobs: readonly OutboxJob[] = []): void {
    if (this.stopped) return;
    if (jobs.length > 0) {
      const adding = this.addCommitted(jobs).finally(() => this.adding.delete(adding));
      this.adding.add(adding);
      return;
    }
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
    await Promise.all(this.adding);
    await this.flushMarks();
  }

  /** One pass over pending rows: returns how many were relayed. */
  async relayPending(): Promise<number> {
    const batchSize = this.options.batchSize ?? 100;
    return this.db.transaction().execute(async (trx) => {
      const rows = await claimPendingOutboxRows(trx, batchSize);
      if (rows.length === 0) return 0;
      const relayed: number[] = [];
      for (const row of rows) {
        const name = row.job_name;
        const parsed = isJobName(name) ? jobSpec(name).schema.safeParse(row.payload) : null;
        if (!isJobName(name) || !parsed?.success) {
          this.logger.error({ outboxId: row.id, jobName: row.job_name }, 'outbox row has an unreadable payload; skipped');
          continue;
        }
        try {
          await this.add({ name, key: row.job_key, payload: parsed.data, runAt: row.run_at });
          relayed.push(row.id);
        } catch (error) {
          // Redis is unreachable: keep this and the remaining rows for the next pass.
          await recordOutboxRelayFailure(trx, row.id, String(error));
          this.logger.warn({ outboxId: row.id, jobKey: row.job_key, err: error }, 'could not queue outbox row yet');
          break;
        }
      }
      await markOutboxRowsRelayed(trx, { ids: relayed });
      if (relayed.length > 0) this.logger.debug({ count: relayed.length }, 'relayed outbox rows');
      return relayed.length;
    });
  }

  /** Adds a job as its declaration says: its queue, attempts and back-off. */
  private add(job: OutboxJob): Promise<unknown> {
    const spec = jobSpec(job.name);
    const queue = spec.queue === 'render' ? this.options.renderQueue : spec.queue === 'generation' ? this.queue : undefined;
    if (!queue) return Promise.reject(new Error(`this relay has no queue for ${job.name}`));
    const options: JobsOptions = {
      jobId: job.key,
      attempts: spec.attempts === 'model' ? this.options.generationAttempts : spec.attempts,
      backoff: { type: 'exponential', delay: spec.backoffMs },
      // A job due later waits in Redis as a delayed job; one already due runs at once.
      ...(job.runAt ? { delay: Math.max(0, job.runAt.getTime() - Date.now()) } : {}),
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
    return withTimeout(queue.add(job.name, job.payload, options), this.options.enqueueTimeoutMs ?? 3_000);
  }

  /** Jobs a commit just wrote: added straight away; their rows are marked later, or relayed by a pass if this fails. */
  private async addCommitted(jobs: readonly OutboxJob[]): Promise<void> {
    try {
      await Promise.all(jobs.map((job) => this.add(job)));
    } catch (error) {
      this.logger.warn(
        { err: error, jobKeys: jobs.map((job) => job.key) },
        'could not queue jobs after commit; the relay passes retry them',
      );
      return;
    }
    this.toMark.push(...jobs.map((job) => job.key));
    this.marking ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushMarks());
  }

  /** Marks every added row relayed in one statement; a failure leaves them for a pass (re-adding is harmless). */
  private async flushMarks(): Promise<void> {
    const keys = this.toMark;
    this.toMark = [];
    this.marking = null;
    if (keys.length === 0) return;
    try {
      await markOutboxRowsRelayed(this.db, { keys });
    } catch (error) {
      this.logger.warn({ err: error, count: keys.length }, 'could not mark outbox rows relayed; a relay pass re-adds them');
    }
  }
}
