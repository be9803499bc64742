import { getPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Config } from '../config/config.js';
import { createDatabase, pingDatabase } from '../db/connection.js';
import { ProcessMetrics } from '../ops/metrics.js';
import { startOpsServer, type RunningOpsServer } from '../ops/ops-server.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { isJobName, jobSpec, type QueueName } from '../domain/jobs.js';
import { GENERATION_QUEUE, PROGRESS_QUEUE, RENDER_QUEUE } from '../queue/jobs.js';
import { OutboxRelay } from '../queue/outbox-relay.js';
import { createRedisConnection } from '../queue/redis.js';
import { sweepLostWork } from '../queue/sweeper.js';
import { markOutboxJobCompleted } from '../db/outbox.js';
import { setCommitFollowUps } from '../db/unit-of-work.js';
import { commitFollowUps } from '../queue/commit-follow-ups.js';
import { createWorkerDeps, type WorkerDeps } from './deps.js';
import { restLoad } from './rest-pressure.js';
import { progressWindowMs } from '../domain/stream-cadence.js';
import { ProgressRefresher } from '../queue/progress-refresher.js';
import { PROCESSORS } from './processors.js';
import { checkWorkflowNodes } from '../comfyui/check-workflow-nodes.js';

export interface WorkerOptions {
  streamEditIntervalMs?: number;
  relayIntervalMs?: number;
  /** How often to look for generating pages without a live job (their age comes from STUCK_PAGE_SECONDS). */
  sweepIntervalMs?: number;
  /** Changes to a chapter within this window share one redraw of its progress message. */
  progressWindowMs?: number;
}

export interface RunningWorker {
  worker: Worker;
  /** /metrics, /livez and /readyz when WORKER_METRICS_PORT is set. */
  http: RunningOpsServer | null;
  close(): Promise<void>;
}

/** A processor as BullMQ calls it. */
type QueueProcessor = (job: Job, token?: string) => Promise<string>;

/** The outbox row records the end of its job: the sweeper stops watching it (finding it lost otherwise). */
function recordingCompletion(deps: WorkerDeps, process: QueueProcessor): QueueProcessor {
  return async (job: Job, token?: string): Promise<string> => {
    const outcome = await process(job, token);
    if (job.id) await markOutboxJobCompleted(deps.db, job.id);
    return outcome;
  };
}

/** BullMQ's named-processor pattern, from the job table: a queue's job runs its processor; a job on the wrong queue is dropped. */
function processorsOf(deps: WorkerDeps, queue: QueueName): QueueProcessor {
  return (job: Job, token?: string): Promise<string> => {
    if (!isJobName(job.name) || jobSpec(job.name).queue !== queue) {
      deps.logger.error({ jobId: job.id, jobName: job.name, queue }, 'unknown job name; dropped');
      return Promise.resolve('unknown job');
    }
    return PROCESSORS[job.name](deps, job, token);
  };
}

/**
 * A dead worker's job is taken over once its lock has run out and a stalled check has seen it: at most
 * the lock plus this interval (30 s + 10 s by default). A live worker renews its lock every half lock,
 * so however long a draft takes it keeps it.
 */
export function stalledCheckIntervalMs(lockMs: number): number {
  return Math.max(500, Math.round(lockMs / 3));
}

/** Times every attempt of every job for storyroom_job_duration_seconds. */
function timed(metrics: ProcessMetrics, processor: QueueProcessor): QueueProcessor {
  return async (job: Job, token?: string): Promise<string> => {
    const started = performance.now();
    try {
      const result = await processor(job, token);
      metrics.observeJob(job.name, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      // A job put back to wait (a draft over its server's cap) did not fail.
      if (!(error instanceof DelayedError)) metrics.observeJob(job.name, 'failed', (performance.now() - started) / 1000);
      throw error;
    }
  };
}

export async function startWorker(config: Readonly<Config>, logger: Logger, options: WorkerOptions = {}): Promise<RunningWorker> {
  const db = createDatabase(config.databaseUrl, {
    maxConnections: config.worker.dbConnections,
    onPoolError: (error) => logger.warn({ err: error }, 'idle database connection lost; the pool reconnects'),
  });
  await migrateToLatest(db);
  const workerConnection = createRedisConnection(config.redis.url, 'worker');
  const queueConnection = createRedisConnection(config.redis.url, 'worker');
  const queue = new Queue(GENERATION_QUEUE, { connection: queueConnection, prefix: config.redis.prefix });
  queue.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));
  const renderQueue = new Queue(RENDER_QUEUE, { connection: queueConnection, prefix: config.redis.prefix });
  renderQueue.on('error', (error) => logger.warn({ err: error }, 'render queue connection error'));
  const relay = new OutboxRelay(db, queue, logger.child({ component: 'relay' }), {
    generationAttempts: config.model.attempts,
    renderQueue,
    intervalMs: options.relayIntervalMs ?? 1_000,
  });
  // While the REST budget is busy, changes to a chapter wait a little longer to share one progress edit.
  const ordinaryWindowMs = options.progressWindowMs ?? 1_500;
  let budgetLoad = () => 0;
  const progress = new ProgressRefresher(config.redis, logger.child({ component: 'progress' }), () =>
    progressWindowMs(budgetLoad(), ordinaryWindowMs),
  );
  const metrics = new ProcessMetrics('worker', { worker: config.worker.name });
  setCommitFollowUps(db, commitFollowUps({ relay, progress, queue, logger }));
  const deps = createWorkerDeps(config, db, logger, { ...options, metrics }, { progress });
  budgetLoad = () => restLoad(deps.restPressure);
  const worker = new Worker(GENERATION_QUEUE, timed(metrics, recordingCompletion(deps, processorsOf(deps, GENERATION_QUEUE))), {
    connection: workerConnection,
    prefix: config.redis.prefix,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockMs,
    stalledInterval: stalledCheckIntervalMs(config.worker.lockMs),
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  const progressConnection = createRedisConnection(config.redis.url, 'worker');
  const progressWorker = new Worker(PROGRESS_QUEUE, timed(metrics, processorsOf(deps, PROGRESS_QUEUE)), {
    connection: progressConnection,
    prefix: config.redis.prefix,
    concurrency: 2,
  });
  progressWorker.on('error', (error) => logger.warn({ err: error }, 'progress worker error'));
  // Renders wait on ComfyUI (one prompt at a time there): their own worker, so drafts never queue behind them.
  const renderConnection = config.render ? createRedisConnection(config.redis.url, 'worker') : null;
  const renderWorker =
    config.render && renderConnection
      ? new Worker(RENDER_QUEUE, recordingCompletion(deps, processorsOf(deps, RENDER_QUEUE)), {
          connection: renderConnection,
          prefix: config.redis.prefix,
          concurrency: config.render.concurrency,
          lockDuration: config.worker.lockMs,
          stalledInterval: config.worker.lockMs,
        })
      : null;
  renderWorker?.on('error', (error) => logger.error({ err: error }, 'render worker error'));
  // Failed for good ends a job too (a generation's page shows Retry; the sweeper would mark it anyway).
  const endedIfFailedForGood = (job: Job | undefined) => {
    if (job?.id && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      markOutboxJobCompleted(db, job.id).catch((markError: unknown) =>
        logger.warn({ err: markError, jobId: job.id }, 'could not mark a finished job; the sweeper will'),
      );
    }
  };
  renderWorker?.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, err: error.message }, 'render attempt failed');
    endedIfFailedForGood(job);
  });
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, jobName: job?.name, err: error.message }, 'job attempt failed');
    endedIfFailedForGood(job);
  });
  relay.start();
  // A mapped value or reference slot naming a node class or input the live ComfyUI lacks fails every render: said at start.
  if (config.render && deps.comfy)
    void checkWorkflowNodes(deps.comfy, config.render.workflow).then((problems) => {
      for (const problem of problems ?? []) logger.warn(`COMFYUI_WORKFLOW_MAPPING ${problem}`);
    });
  // Event-loop delay is the health signal for WORKER_CONCURRENCY: high p99 means too many drafts at once.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const sweepLog = logger.child({ component: 'sweeper' });
  const graceMs = Math.max(30_000, config.worker.stuckPageMs);
  const sweepTimes = {
    stuckPageMs: config.worker.stuckPageMs,
    minuteMs: config.review.minuteMs,
    graceMs,
    retentionMs: config.worker.retentionMs,
    ...(config.render ? { stuckRenderMs: config.render.timeoutMs + graceMs } : {}),
  };
  const sweeper = setInterval(
    () => {
      sweepLostWork(db, queue, sweepLog, sweepTimes, config.render ? renderQueue : null)
        .then((putBack) => {
          if (putBack > 0) relay.kick();
        })
        .catch((error: unknown) => sweepLog.warn({ err: error }, 'sweep failed; trying again next round'));
    },
    options.sweepIntervalMs ?? Math.min(15_000, Math.max(500, config.worker.stuckPageMs / 2)),
  );
  const readiness = { database: () => pingDatabase(db), redis: () => queueConnection.ping() };
  const http = config.worker.metricsHttp
    ? await startOpsServer(
        { metrics, readiness, logger: logger.child({ component: 'http' }), metricsToken: null, health: false },
        config.worker.metricsHttp,
      )
    : null;
  logger.info({ concurrency: config.worker.concurrency, niceness: getPriority() }, 'worker started');

  return {
    worker,
    http,
    async close() {
      await http?.close();
      clearInterval(sweeper);
      await relay.stop();
      await worker.close();
      await progressWorker.close();
      await renderWorker?.close();
      deps.comfy?.close();
      await renderQueue.close();
      renderConnection?.disconnect();
      await progress.close();
      await queue.close();
      progressConnection.disconnect();
      workerConnection.disconnect();
      queueConnection.disconnect();
      await db.destroy();
      loopDelay.disable();
      logger.info(
        {
          eventLoopDelayP50Ms: Math.round(loopDelay.percentile(50) / 1e4) / 100,
          eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
        },
        'worker stopped',
      );
    },
  };
}
