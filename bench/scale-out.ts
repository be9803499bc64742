import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topSelfFrames } from './cpu-profile.js';
import { CpuAccount, cpuMs, pidsNamed } from './processes.js';
import { callsAfterFirstWave, callsByMessage, queuePages, shownInFull, type QueuedPage } from './scale-out-pages.js';
import { now, row, sleep, summarize, type BenchRow } from './stats.js';

const MODEL_LATENCY_MS = 200;
/** A worker budget the drafts of this machine fill: what the cadence does at Discord's limit. */
const BUSY_BUDGET = 10;
/**
 * A global limit low enough that this machine's CPU is not what limits the drafts: Discord's budget
 * is, as it would be at 50 a second on a machine fast enough. Drafts/s scale with the limit.
 */
const LOW_GLOBAL_LIMIT = 5;
/** Drafts a worker writes before the CPU clock starts: V8 has compiled what a draft runs by then. */
const WARM_UP_DRAFTS = 32;
const DISCORD_GLOBAL_LIMIT = 50;

interface RunResult {
  /** Drafts recorded a second (the model's answers stored). */
  rate: number;
  /** Drafts shown a second: each draft's message finished and its card waiting for votes. */
  shownRate: number;
  /** Discord REST calls over the run ÷ drafts, and the 429s among them. */
  callsPerDraft: number;
  tooMany: number;
  /** Worker CPU time (user + system, every worker) per draft over the run. */
  cpuMsPerDraft: number;
  /** Where the machine's CPU went over the run, and the Discord REST calls each draft made. */
  note: string;
  /** The run's window on the monotonic clock (µs), which --cpu-prof timestamps use too. */
  windowUs: [number, number];
}

/**
 * The pages are queued before the clock starts (the outbox rows wait for the workers' relay), so the
 * figure is the workers' rate alone, not the rate at which this benchmark can start pages one by one.
 */
async function run(
  h: StoryroomHarness,
  storyId: number,
  options: { workers: number; concurrency: number; pages: number; warmup?: number; profileDir?: string; env?: Record<string, string> },
): Promise<RunResult> {
  const PAGES = options.pages;
  const env = { ...process.env, ...h.env, WORKER_CONCURRENCY: String(options.concurrency), LOG_LEVEL: 'info', ...options.env };
  const round = `w${options.workers}c${options.concurrency}${options.profileDir ? 'p' : ''}${options.warmup ? 'w' : ''}`;
  const queued = await queuePages(h, storyId, round, PAGES);
  const pageIds = queued.map((page) => page.pageId);
  // A warm worker: the measured pages' jobs are held back (marked relayed, an hour ahead, so no pass
  // takes them) while the worker writes `warmup` drafts first; released, the next relay pass adds them.
  const releaseMeasured = options.warmup ? await holdPendingJobs(h) : null;
  const warmPages = options.warmup ? await queuePages(h, storyId, `${round}-warm`, options.warmup) : [];
  // Every worker loads the tokenizer before the clock starts (bench/warm-tokenizer.mjs): a one-off of each process, not a draft's cost.
  const nodeArgs = [
    '--import',
    './bench/warm-tokenizer.mjs',
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
  ];
  const processes: StoryroomProcess[] = Array.from({ length: options.workers }, () => startStoryroomProcess('worker', env, { nodeArgs }));
  try {
    await Promise.all(processes.map((p) => p.waitForLine(/worker started/, 60_000)));
    if (releaseMeasured) {
      await untilReviewing(
        h,
        warmPages.map((page) => page.pageId),
      );
      await untilSettled(h, warmPages, 'the warm-up drafts');
      await releaseMeasured();
    }
    const t0 = now();
    const startUs = Number(process.hrtime.bigint() / 1000n);
    const cpuAtStart = processes.map((p) => cpuMs(p.child.pid));
    const callsAtStart = h.discord.calls.length;
    const waitsAtStart = globalRateLimitWaits(processes);
    // Postgres (the backends serving this database), Redis and this process (the loopback Discord and
    // model servers) share the machine with the workers; "everything else" is the rest of the machine.
    const account = new CpuAccount({
      [options.workers === 1 ? 'worker' : 'workers']: processes.map((p) => p.child.pid),
      postgres: () => pidsNamed('postgres', h.database.name),
      'redis (the whole server)': () => pidsNamed('redis-server'),
      'bench + loopback servers': [process.pid],
    });
    await untilReviewing(h, pageIds);
    const seconds = (now() - t0) / 1000;
    const cpu = processes.reduce((sum, p, i) => sum + cpuMs(p.child.pid) - (cpuAtStart[i] ?? 0), 0);
    // The rates count drafts recorded, and drafts shown (their messages can lag behind under a REST limit);
    // the calls, every one the drafts made, to the last edit they caused.
    for (; !shownInFull(h, queued, false); await sleep(20)) if (now() - t0 > 360_000) throw new Error('drafts not shown in 360 s');
    const shownSeconds = (now() - t0) / 1000;
    await untilSettled(h, queued, 'the drafts');
    const calls = h.discord.calls.slice(callsAtStart);
    const wave = options.workers * options.concurrency;
    const callsPerDraft = calls.length / PAGES;
    const waits = globalRateLimitWaits(processes) - waitsAtStart;
    const tooMany = calls.filter((call) => call.status === 429).length;
    const byRoute = new Map<string, number>();
    for (const call of calls) byRoute.set(`${call.method} ${call.route}`, (byRoute.get(`${call.method} ${call.route}`) ?? 0) + 1);
    const routes = [...byRoute].map(([route, n]) => `${route} ${(n / PAGES).toFixed(2)}`).join(', ');
    const requestsPerSecond = calls.length / shownSeconds;
    const byMessage = await callsByMessage(h, calls, PAGES);
    const note = `${account.describe()}; ${(PAGES / shownSeconds).toFixed(2)} drafts/s shown; ${callsPerDraft.toFixed(2)} Discord REST calls per draft (${routes}; by message: ${byMessage}; ${callsAfterFirstWave(calls, queued, wave).toFixed(2)} after the first ${wave} drafts), ${requestsPerSecond.toFixed(1)} requests/s, ${tooMany} 429s, ${waits} waits for the global limit`;
    return {
      rate: PAGES / seconds,
      shownRate: PAGES / shownSeconds,
      cpuMsPerDraft: cpu / PAGES,
      callsPerDraft,
      tooMany,
      note,
      windowUs: [startUs, Number(process.hrtime.bigint() / 1000n)],
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM', 15_000)));
    const p99s = processes.map((p) =>
      Number(/"eventLoopDelayP99Ms":([\d.]+)/.exec(p.lines.find((l) => l.includes('worker stopped')) ?? '')?.[1] ?? Number.NaN),
    );
    lastLoopP99 = Math.max(...p99s);
  }
}
let lastLoopP99 = Number.NaN;

/** Waits until every page's draft is recorded and up for votes (at most 300 s). */
async function untilReviewing(h: StoryroomHarness, pageIds: readonly number[]): Promise<void> {
  const t0 = now();
  for (;;) {
    const done = await h.database.db
      .selectFrom('story_pages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', pageIds)
      .where('state', '=', 'user_reviewing_narration')
      .executeTakeFirstOrThrow();
    if (Number(done.n) === pageIds.length) return;
    if (now() - t0 > 300_000) throw new Error('drafts did not finish in 300 s');
    await sleep(20);
  }
}

/** Waits (at most 60 s) until the pages' messages show them in full, the chapters' progress included. */
async function untilSettled(h: StoryroomHarness, pages: readonly QueuedPage[], what: string): Promise<void> {
  for (const settleStart = now(); !shownInFull(h, pages); await sleep(20))
    if (now() - settleStart > 60_000) throw new Error(`${what}' messages did not settle in 60 s`);
}

/** Holds back the jobs pending now (marked relayed an hour ahead); what it returns hands them to the relay. */
async function holdPendingJobs(h: StoryroomHarness): Promise<() => Promise<void>> {
  const db = h.database.db;
  const held = await db
    .updateTable('outbox')
    .set({ relayed_at: new Date(Date.now() + 3_600_000) })
    .where('relayed_at', 'is', null)
    .returning('id')
    .execute();
  const ids = held.map((row) => row.id);
  return async () => {
    if (ids.length > 0) await db.updateTable('outbox').set({ relayed_at: null }).where('id', 'in', ids).execute();
  };
}

/** How often the workers' REST clients held requests back for Discord's global limit (50 requests a second per bot), from their logs. */
function globalRateLimitWaits(processes: readonly StoryroomProcess[]): number {
  return processes.reduce(
    (sum, p) => sum + p.lines.filter((line) => line.includes('discord rate limit') && line.includes('"global":true')).length,
    0,
  );
}

/** Drafts per second at a fixed 200 ms model latency with one and two worker processes, and by concurrency. */
export async function benchScaleOut(): Promise<BenchRow[]> {
  const h = await startStoryroom('benchscale', { bot: false, worker: false, env: { MAX_GENERATIONS_PER_GUILD: '100' } });
  try {
    h.model.setLatency(MODEL_LATENCY_MS);
    h.model.setResponder(() => ({ content: 'A short scaled draft.' }));
    const story = await h.database.db
      .insertInto('stories')
      .values({ guild_id: h.guildId, channel_id: h.storyChannelId, title: 'Scale', created_by: h.adminId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows: BenchRow[] = [];
    for (const workers of [1, 2]) {
      const results: RunResult[] = [];
      for (let repeat = 0; repeat < 2; repeat += 1) results.push(await run(h, story.id, { workers, concurrency: 4, pages: 40 }));
      const ideal = (workers * 4 * 1000) / MODEL_LATENCY_MS;
      const last = results.at(-1);
      rows.push(
        row(
          `drafts/s, ${workers} worker${workers === 1 ? '' : 's'} × concurrency 4`,
          'drafts/s',
          summarize(results.map((r) => r.rate)),
          { name: 'ideal: workers × concurrency ÷ latency', value: summarize([ideal]) },
          null,
          `event-loop p99 ${lastLoopP99} ms; last run: ${last?.note ?? '–'}`,
        ),
      );
    }
    // The CPU row is the measure, concurrency 16 with the ordinary budget: three runs of a warm
    // worker, one that wrote WARM_UP_DRAFTS before the clock. A worker runs for weeks; a fresh process's
    // first drafts also pay V8 compiling the code they run, a one-off like the tokenizer's load. The other
    // runs' figures are printed beside it (a fresh worker's first drafts; a smaller budget makes fewer
    // calls; --cpu-prof adds its sampling).
    const cpuAtSixteen: number[] = [];
    const cpuElsewhere: string[] = [];
    const saturated: RunResult[] = [];
    for (const concurrency of [16, 32]) {
      const result = await run(h, story.id, { workers: 1, concurrency, pages: 80 });
      if (concurrency === 16) {
        cpuElsewhere.push(`a fresh worker's first 80 drafts ${result.cpuMsPerDraft.toFixed(1)} ms`);
        for (let repeat = 0; repeat < 3; repeat += 1)
          cpuAtSixteen.push((await run(h, story.id, { workers: 1, concurrency, pages: 80, warmup: WARM_UP_DRAFTS })).cpuMsPerDraft);
      } else cpuElsewhere.push(`concurrency ${concurrency} ${result.cpuMsPerDraft.toFixed(1)} ms`);
      saturated.push(result);
      const ideal = (concurrency * 1000) / MODEL_LATENCY_MS;
      // One worker's REST client holds the bot's whole global budget: at 32 drafts at once it is the bot at the limit.
      rows.push(
        row(
          `drafts/s, 1 worker × concurrency ${concurrency}${concurrency === 32 ? ' (the bot at the global limit)' : ''}`,
          'drafts/s',
          summarize([result.rate]),
          { name: 'ideal', value: summarize([ideal]) },
          concurrency === 32 ? '≥ 15 drafts/s, 0 429s' : null,
          `event-loop p99 ${lastLoopP99} ms; ${result.note}`,
        ),
      );
    }
    // The same drafts with the worker's REST budget busy: on a machine that cannot reach Discord's 50
    // requests a second, a smaller budget (WORKER_REST_BUDGET) makes the drafts' cadence what it is at the limit.
    const busy = await run(h, story.id, { workers: 1, concurrency: 16, pages: 80, env: { WORKER_REST_BUDGET: String(BUSY_BUDGET) } });
    cpuElsewhere.push(`concurrency 16 with the budget busy ${busy.cpuMsPerDraft.toFixed(1)} ms`);
    const [atSixteen] = saturated;
    rows.push(
      row(
        `Discord REST calls per draft, budget busy (WORKER_REST_BUDGET=${BUSY_BUDGET}, concurrency 16)`,
        'calls',
        summarize([busy.callsPerDraft]),
        { name: 'the same drafts, budget 50 (not busy)', value: summarize([atSixteen?.callsPerDraft ?? Number.NaN]) },
        '≤ 3, 0 429s',
        `${busy.rate.toFixed(2)} drafts/s; ${busy.note}`,
      ),
    );
    // The bot where Discord's budget is what limits it: a global limit this machine's CPU can fill, the
    // worker's REST client keeping to it (WORKER_REST_BUDGET). Drafts/s scale with the limit, so at
    // Discord's 50 a second the bot writes 50 ÷ LOW_GLOBAL_LIMIT times as many: that is what is printed.
    h.discord.setGlobalRequestsPerSecond(LOW_GLOBAL_LIMIT);
    const limited = await run(h, story.id, {
      workers: 1,
      concurrency: 16,
      pages: 48,
      env: { WORKER_REST_BUDGET: String(LOW_GLOBAL_LIMIT) },
    }).finally(() => h.discord.setGlobalRequestsPerSecond(DISCORD_GLOBAL_LIMIT));
    const scale = DISCORD_GLOBAL_LIMIT / LOW_GLOBAL_LIMIT;
    rows.push(
      row(
        `drafts/s for the whole bot at Discord's global limit (measured at ${LOW_GLOBAL_LIMIT} requests/s, × ${scale})`,
        'drafts/s',
        summarize([limited.shownRate * scale]),
        {
          name: `ceiling: ${DISCORD_GLOBAL_LIMIT} requests/s ÷ calls per draft`,
          value: summarize([DISCORD_GLOBAL_LIMIT / limited.callsPerDraft]),
        },
        '≥ 15 drafts/s, 0 429s',
        `${limited.shownRate.toFixed(2)} drafts/s shown at ${LOW_GLOBAL_LIMIT} requests/s; ${limited.note}`,
      ),
    );
    // Where the worker's CPU goes: one more concurrency-16 run under --cpu-prof, its top self-time frames.
    // BENCH_CPU_PROFILE_DIR keeps the profile there (to open in Chrome DevTools); otherwise it is thrown away.
    const kept = process.env.BENCH_CPU_PROFILE_DIR;
    const profileDir = kept ? mkdtempSync(join(kept, 'scale-out-')) : mkdtempSync(join(tmpdir(), 'storyroom-cpu-'));
    try {
      const profiled = await run(h, story.id, { workers: 1, concurrency: 16, pages: 80, warmup: WARM_UP_DRAFTS, profileDir });
      cpuElsewhere.push(`the profiled run ${profiled.cpuMsPerDraft.toFixed(1)} ms`);
      // Only the samples taken while the drafts were written: start-up (module loading) is left out.
      const frames = topSelfFrames(profileDir, profiled.windowUs);
      rows.push(
        row(
          `worker CPU per draft (process.cpuUsage ÷ drafts, concurrency 16, a warm worker: three runs of 80 drafts after ${WARM_UP_DRAFTS})`,
          'ms',
          summarize(cpuAtSixteen),
          { name: 'model latency per draft', value: summarize([MODEL_LATENCY_MS]) },
          '≤ 25 ms',
          `runs ${cpuAtSixteen.map((ms) => ms.toFixed(1)).join(', ')} ms; other runs: ${cpuElsewhere.join(', ')}; each worker loaded the tokenizer before the clock (about 185 ms of CPU once per process, 2–5 ms a draft over an 80-draft run); top self time: ${frames.join('; ')}`,
        ),
      );
    } finally {
      if (!kept) rmSync(profileDir, { recursive: true, force: true });
    }
    return rows;
  } finally {
    await h.close();
  }
}
