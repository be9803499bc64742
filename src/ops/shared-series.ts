import { Counter, Gauge, Summary, type Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Db } from '../db/connection.js';
import { countTransitionsByEvent, sumAgentCallsByOutcome } from '../db/metrics.js';
import type { Logger } from '../logger.js';

// Series that describe the whole installation rather than one process: totals in Postgres and the
// BullMQ queues in Redis. The bot serves them (one place, so sums are not doubled by several workers).
// The GROUP BYs run at most once per `refreshMs`, however often and from however many scrapers.

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

interface Snapshot {
  transitions: Awaited<ReturnType<typeof countTransitionsByEvent>>;
  agents: Awaited<ReturnType<typeof sumAgentCallsByOutcome>>;
  queues: { queue: string; counts: Record<string, number> }[];
}

export interface SharedSeriesSources {
  db: Db;
  /** Every BullMQ queue of the installation; the first is the generation queue. */
  queues: readonly Queue[];
  logger: Logger;
  refreshMs?: number;
}

export function registerSharedSeries(registry: Registry, sources: SharedSeriesSources): void {
  const refreshMs = sources.refreshMs ?? 10_000;
  let cached: { at: number; value: Promise<Snapshot> } | null = null;
  // Completed jobs already counted in the latency summary, so each is observed once.
  const seenJobs = new Set<string>();

  const latency = new Summary({
    name: 'storyroom_job_latency_seconds',
    help: 'Time from queued (after any delay) to finished of generation-queue jobs, observed by the bot as they complete; quantiles over the last 10 minutes.',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
    // New completions are observed while the snapshot is read.
    async collect() {
      await snapshot();
    },
  });

  async function read(): Promise<Snapshot> {
    const [generation] = sources.queues;
    const [transitions, agents, queues, completed] = await Promise.all([
      countTransitionsByEvent(sources.db),
      sumAgentCallsByOutcome(sources.db),
      Promise.all(sources.queues.map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...JOB_STATES) }))),
      generation ? generation.getJobs(['completed'], 0, 199) : Promise.resolve([]),
    ]);
    for (const job of completed) {
      if (job.id === undefined || job.finishedOn === undefined || seenJobs.has(job.id)) continue;
      seenJobs.add(job.id);
      const seconds = (job.finishedOn - job.timestamp - (job.delay ?? 0)) / 1000;
      if (seconds >= 0) latency.observe(seconds);
    }
    // Only the newest 200 can come back; remembering a little more than that is enough.
    if (seenJobs.size > 1_000) for (const id of [...seenJobs].slice(0, seenJobs.size - 400)) seenJobs.delete(id);
    return { transitions, agents, queues };
  }

  function snapshot(): Promise<Snapshot> {
    if (!cached || Date.now() - cached.at > refreshMs) {
      const value = read();
      cached = { at: Date.now(), value };
      // A failed read is not kept: the next scrape tries again.
      value.catch((error: unknown) => {
        sources.logger.warn({ err: error }, 'metrics: could not read Postgres or Redis');
        cached = null;
      });
    }
    return cached.value;
  }

  const registers = [registry];
  new Counter({
    name: 'storyroom_page_transitions_total',
    help: 'Page state transitions recorded in Postgres, by event.',
    labelNames: ['event'],
    registers,
    async collect() {
      const { transitions } = await snapshot();
      this.reset();
      for (const row of transitions) this.inc({ event: row.event }, Number(row.n));
    },
  });
  new Counter({
    name: 'storyroom_model_calls_total',
    help: 'Model calls recorded in Postgres, by agent and outcome.',
    labelNames: ['agent', 'outcome'],
    registers,
    async collect() {
      const { agents } = await snapshot();
      this.reset();
      for (const row of agents) this.inc({ agent: row.agent, outcome: row.outcome }, Number(row.calls));
    },
  });
  new Counter({
    name: 'storyroom_model_call_seconds_total',
    help: 'Time spent in model calls recorded in Postgres, by agent and outcome.',
    labelNames: ['agent', 'outcome'],
    registers,
    async collect() {
      const { agents } = await snapshot();
      this.reset();
      for (const row of agents) this.inc({ agent: row.agent, outcome: row.outcome }, Number(row.latency ?? 0) / 1000);
    },
  });
  new Counter({
    name: 'storyroom_model_tokens_total',
    help: 'Model tokens recorded in Postgres by agent and kind; cached is part of prompt (do not sum the kinds: storyroom_model_token_usage_total has disjoint types).',
    labelNames: ['agent', 'kind'],
    registers,
    async collect() {
      const { agents } = await snapshot();
      this.reset();
      for (const row of agents) {
        for (const kind of ['prompt', 'cached', 'completion'] as const) this.inc({ agent: row.agent, kind }, Number(row[kind] ?? 0));
      }
    },
  });
  new Gauge({
    name: 'storyroom_bullmq_jobs',
    help: 'Jobs in each BullMQ queue, by queue and state.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const { queues } = await snapshot();
      this.reset();
      for (const { queue, counts } of queues) for (const [state, value] of Object.entries(counts)) this.set({ queue, state }, value);
    },
  });
  new Gauge({
    name: 'storyroom_queue_jobs',
    help: 'Jobs in the generation queue, by state (the same as storyroom_bullmq_jobs{queue="generation"}).',
    labelNames: ['state'],
    registers,
    async collect() {
      const { queues } = await snapshot();
      this.reset();
      for (const [state, value] of Object.entries(queues[0]?.counts ?? {})) this.set({ state }, value);
    },
  });
}
