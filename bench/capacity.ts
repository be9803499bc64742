import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { DiscordEmulator, type RecordedCall } from '../loopback/discord/emulator.js';
import { freePort } from '../loopback/free-port.js';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { carrier } from './ack-latency.js';
import {
  createServer,
  openChapter,
  writePage,
  writePageReplies,
  type AckKind,
  type CapacityServer,
  type PageOutcome,
} from './capacity-rooms.js';
import { CpuAccount, pidsNamed, processTree } from './processes.js';
import { now, row, summarize, type BenchRow, type Summary } from './stats.js';

// `npm run bench -- capacity [--servers N] [--workers M]`: N servers (200 by default) with three
// co-writers each write a page at once against the whole bot as it is deployed: the bot's two shard
// processes, 1 to M worker processes (4 by default) and the REST proxy they all share, the loopback
// Discord and the loopback model at 2 s a call. About 15 minutes at 200 servers on 2 cores.

const MODEL_LATENCY_MS = 2_000;
const SHARDS = 2;
/** WORKER_CONCURRENCY's default: each worker writes four drafts at once. */
const CONCURRENCY = 4;
/** A page is three drafts (narration v1, v2 after Revise, the dialogue), each one model call. */
const DRAFTS_PER_PAGE = 3;
/** Servers set up at once: setup is not measured, and the bot's REST calls share 45 a second. */
const SETUP_AT_ONCE = 8;

/** `--name N` on the command line, else the fallback. */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1`);
  return value;
}

/** `count` clicks at once on a bare discord.js client that only defers, on a loopback Discord of its own: three rounds. */
async function bareAcks(count: number): Promise<number[]> {
  const bare = await DiscordEmulator.start();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bare.apiUrl }, waitGuildTimeout: 200 });
  try {
    const guildId = bare.createGuild().id;
    const channelId = bare.createChannel(guildId).id;
    const users = Array.from({ length: count }, (_, i) => {
      const user = bare.createUser({ username: `bare${i}` });
      bare.addMember(guildId, user.id);
      return user.id;
    });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isButton()) void interaction.deferUpdate().catch(() => undefined);
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(bare.token);
    await ready;
    const messageId = await carrier(bare, channelId);
    const samples: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const acks = await Promise.all(
        users.map((userId) => bare.clickButton({ guildId, channelId, messageId, userId, customId: 'x' }).acknowledged),
      );
      samples.push(...acks.map((ack) => ack.afterMs));
    }
    return samples;
  } finally {
    await client.destroy();
    await bare.close();
  }
}

interface RunResult {
  workers: number;
  acks: Summary;
  ackMax: number;
  /** Median, p99 and max of each kind of interaction: where the slow acknowledgements are. */
  acksByKind: string;
  interactions: number;
  unacknowledged: number;
  /** Page times in seconds, of the pages approved. */
  pages: Summary;
  pageP95: number;
  approved: number;
  played: number;
  pagesPerMinute: number;
  tooMany: number;
  /** The routes of those 429s ("PATCH /channels/:id/messages/:id × 2"), and whether Discord's global limit sent them. */
  tooManyRoutes: string;
  /** Times the REST proxy held requests back for the global limit. */
  globalWaits: number;
  requestsPerSecond: number;
  /** Discord REST calls over the run ÷ pages approved (interaction answers included). */
  callsPerPage: number;
  /** Those the global limit counts (all but interaction answers), ÷ pages approved. */
  limitedPerPage: number;
  cpu: string;
  failures: string[];
  botErrors: string[];
}

function describeRoutes(calls: readonly RecordedCall[]): string {
  const byRoute = new Map<string, number>();
  for (const call of calls) byRoute.set(`${call.method} ${call.route}`, (byRoute.get(`${call.method} ${call.route}`) ?? 0) + 1);
  return [...byRoute].map(([route, n]) => `${route} × ${n}`).join(', ');
}

function describeAcksByKind(outcomes: readonly PageOutcome[]): string {
  const kinds: AckKind[] = ['command', 'form opened', 'form sent', 'approve'];
  return kinds
    .map((kind) => {
      const samples = outcomes.flatMap((o) => o.acksByKind[kind]);
      if (samples.length === 0) return `${kind} –`;
      return `${kind} ${ms(percentile(samples, 0.5))}/${ms(percentile(samples, 0.99))}/${ms(Math.max(...samples))}`;
    })
    .join(', ');
}

const percentile = (samples: readonly number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

/** Interactions of a round's burst created per turn of the loopback's event loop. */
const BURST_PER_TURN = 10;

/** How long the room must make no Discord call before a round starts. */
const QUIET_MS = 1_000;

/**
 * Waits until the room is quiet: no Discord call for QUIET_MS. A round then starts from a bot and
 * workers that are running, not still starting up or sending the last round's (or the setup's) edits.
 */
async function untilQuiet(h: StoryroomHarness, timeoutMs = 180_000): Promise<void> {
  const deadline = now() + timeoutMs;
  let seen = h.discord.calls.length;
  let quietSince = now();
  while (now() - quietSince < QUIET_MS) {
    if (now() > deadline) throw new Error(`the room never went quiet: still calling Discord after ${timeoutMs / 1000} s`);
    await sleep(100);
    if (h.discord.calls.length !== seen) {
      seen = h.discord.calls.length;
      quietSince = now();
    }
  }
}

/** Every server still playing writes its next page at once, with `workers` worker processes. */
async function run(
  h: StoryroomHarness,
  servers: CapacityServer[],
  parts: { bot: StoryroomProcess; proxy: StoryroomProcess; env: NodeJS.ProcessEnv },
  workers: number,
): Promise<RunResult> {
  const playing = servers.filter((server) => !server.stuck);
  // Each worker loads the tokenizer before the round (bench/warm-tokenizer.mjs), as a running worker has.
  const nodeArgs = ['--import', './bench/warm-tokenizer.mjs'];
  const processes = Array.from({ length: workers }, () => startStoryroomProcess('worker', parts.env, { nodeArgs }));
  try {
    await Promise.all(processes.map((p) => p.waitForLine(/worker started/, 120_000)));
    // The round starts from a room that is running, not one still starting its workers or sending the last round's edits.
    await untilQuiet(h);
    const callsAtStart = h.discord.calls.length;
    const proxyLinesAtStart = parts.proxy.lines.length;
    const account = new CpuAccount({
      [`bot (${SHARDS} shards)`]: () => processTree(parts.bot.child.pid),
      [workers === 1 ? 'worker' : 'workers']: processes.map((p) => p.child.pid),
      'REST proxy': [parts.proxy.child.pid],
      postgres: () => pidsNamed('postgres', h.database.name),
      'redis (the whole server)': () => pidsNamed('redis-server'),
      'bench + loopback Discord and model': [process.pid],
    });
    const botLinesAtStart = parts.bot.lines.length;
    const started = now();
    // The loopback Discord is one event loop that also plays the co-writers: creating all 200 interactions
    // in one run would keep it from taking any acknowledgement until the last was made, a wait Discord's
    // own servers never add. Ten to a turn, the burst still goes out within a fraction of a second.
    const writing: Promise<PageOutcome>[] = [];
    for (const [i, server] of playing.entries()) {
      if (i > 0 && i % BURST_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      writing.push(writePage(h.discord, server));
    }
    const outcomes: PageOutcome[] = await Promise.all(writing);
    const seconds = (now() - started) / 1000;
    const cpu = account.describe();
    const calls = h.discord.calls.slice(callsAtStart);
    const acks = outcomes.flatMap((o) => o.acks);
    const pageSeconds = outcomes.flatMap((o) => (o.pageMs === null ? [] : [o.pageMs / 1000]));
    return {
      workers,
      acks: summarize(acks),
      ackMax: Math.max(...acks),
      acksByKind: describeAcksByKind(outcomes),
      interactions: acks.length,
      unacknowledged: outcomes.reduce((sum, o) => sum + o.unacknowledged, 0),
      pages: summarize(pageSeconds),
      pageP95: percentile(pageSeconds, 0.95),
      approved: pageSeconds.length,
      played: playing.length,
      pagesPerMinute: (pageSeconds.length / seconds) * 60,
      tooMany: calls.filter((call) => call.status === 429).length,
      tooManyRoutes: describeRoutes(calls.filter((call) => call.status === 429)),
      globalWaits: parts.proxy.lines
        .slice(proxyLinesAtStart)
        .filter((line) => line.includes('waiting for a Discord rate limit') && line.includes('"global":true')).length,
      requestsPerSecond: calls.length / seconds,
      callsPerPage: calls.length / Math.max(1, pageSeconds.length),
      limitedPerPage: calls.filter((call) => !/^\/(interactions|webhooks)\//.test(call.path)).length / Math.max(1, pageSeconds.length),
      cpu,
      failures: outcomes.flatMap((o) => (o.failure ? [o.failure] : [])),
      // Errors the bot logged (pino level 50): what a failed page's co-writers were told went wrong.
      botErrors: parts.bot.lines.slice(botLinesAtStart).filter((line) => line.includes('"level":50')),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM', 30_000)));
  }
}

/** A progress line under the section's name: a run of 200 servers takes minutes. */
const say = (line: string) => process.stdout.write(`\n  ${line}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const s = (n: number) => `${n.toFixed(1)} s`;

/** What the REST proxy lets through a second (src/discord/rest-proxy.ts), a margin under Discord's 50. */
const PROXY_REQUESTS_PER_SECOND = 45;
/** At this many calls a page under the global limit, the most pages a minute the whole bot can write. */
const restPerPage = (r: RunResult) =>
  `${r.callsPerPage.toFixed(1)} calls a page, ${r.limitedPerPage.toFixed(1)} of them under the global limit: at most ${((PROXY_REQUESTS_PER_SECOND * 60) / r.limitedPerPage).toFixed(0)} pages/min`;

function describeRun(r: RunResult, servers: number): string {
  return (
    `${plural(r.workers, 'worker')}: ${r.approved}/${servers} approved, ack median ${ms(r.acks.median)} p99 ${ms(r.acks.p99)} ` +
    `max ${ms(r.ackMax)} (median/p99/max by kind: ${r.acksByKind}; ${r.interactions} interactions, ${r.unacknowledged} unacknowledged), ${r.tooMany} 429s${r.tooMany > 0 ? ` (${r.tooManyRoutes})` : ''}, ` +
    `${r.pagesPerMinute.toFixed(1)} pages/min, page median ${s(r.pages.median)} p95 ${s(r.pageP95)}; ` +
    `${r.requestsPerSecond.toFixed(1)} Discord requests/s (${restPerPage(r)}), ${r.globalWaits} proxy waits for the global limit; ${r.cpu}`
  );
}

/** The capacity rows: per worker count, acknowledgement, page time and pages per minute, each beside a baseline from this run. */
export async function benchCapacity(): Promise<BenchRow[]> {
  const count = option('servers', 200);
  const maxWorkers = option('workers', 4);
  // `--from M`: start at M workers (a quick look at the busiest rounds); the 1-worker baselines then come from the first round run.
  const fromWorkers = Math.min(option('from', 1), maxWorkers);
  const label = `${count} servers × 3 co-writers`;
  const h = await startStoryroom('benchcapacity', {
    bot: false,
    worker: false,
    discord: { shards: SHARDS },
    env: { WORKER_CONCURRENCY: String(CONCURRENCY), MODEL_TIMEOUT_MS: '30000', MAX_GENERATIONS_PER_GUILD: '100', LOG_LEVEL: 'info' },
  });
  const started: StoryroomProcess[] = [];
  try {
    // The servers exist before the bot connects, as they would when a deployment restarts.
    const servers: CapacityServer[] = [];
    for (let i = 0; i < count; i += 1) servers.push(await createServer(h.discord, i, SHARDS));
    h.model.setResponder(writePageReplies);
    const proxyPort = await freePort();
    const proxy = startStoryroomProcess('rest-proxy', { ...process.env, ...h.env, REST_PROXY_PORT: String(proxyPort) });
    started.push(proxy);
    await proxy.waitForLine(/REST proxy listening/, 60_000);
    // Every process reaches Discord through the one proxy, as operations.md says a deployment of several processes should.
    const env = { ...process.env, ...h.env, DISCORD_REST_PROXY_URL: `http://127.0.0.1:${proxyPort}` };
    const bot = startStoryroomProcess('bot', env);
    started.push(bot);
    await bot.waitForLine(/all shards ready/, 180_000);
    say(`the bot's ${SHARDS} shards are ready`);
    for (let next = 0; next < servers.length; next += SETUP_AT_ONCE) {
      await Promise.all(servers.slice(next, next + SETUP_AT_ONCE).map((server, i) => openChapter(server, next + i)));
    }
    say(`${count} servers set up, each a story, a chapter and its three co-writers`);
    const bare = summarize(await bareAcks(count));
    h.model.setLatency(MODEL_LATENCY_MS);

    const results: RunResult[] = [];
    for (let workers = fromWorkers; workers <= maxWorkers; workers += 1) {
      const result = await run(h, servers, { bot, proxy, env }, workers);
      results.push(result);
      say(describeRun(result, count));
      if (result.failures[0]) say(`${result.failures.length} pages failed, the first: ${result.failures[0]}`);
      if (result.botErrors[0]) say(`${result.botErrors.length} errors logged by the bot, the first: ${result.botErrors[0].slice(0, 600)}`);
    }
    say('');
    const [one] = results;
    const rows: BenchRow[] = [];
    for (const r of results) {
      const who = `${label}, ${plural(r.workers, 'worker')}`;
      const first = r === one || !one;
      // The first round's pages are bounded by its draft slots: CONCURRENCY drafts of MODEL_LATENCY_MS at once per worker.
      const slots = r.workers * CONCURRENCY;
      const idealPerMinute = (60_000 * slots) / (DRAFTS_PER_PAGE * MODEL_LATENCY_MS);
      rows.push(
        row(
          `capacity ack, ${who}`,
          'ms',
          r.acks,
          { name: `bare discord.js, ${count} clicks at once`, value: bare },
          'p99 < 300 ms',
          `max ${ms(r.ackMax)}, ${r.interactions} interactions, ${r.unacknowledged} unacknowledged; median/p99/max by kind: ${r.acksByKind}`,
        ),
        row(
          `capacity page time, ${who}`,
          's',
          r.pages,
          first
            ? {
                name: `${DRAFTS_PER_PAGE} drafts × ${MODEL_LATENCY_MS / 1000} s model latency`,
                value: summarize([(DRAFTS_PER_PAGE * MODEL_LATENCY_MS) / 1000]),
              }
            : { name: `${plural(one.workers, 'worker')}, this run`, value: one.pages },
          'all approved, falling with workers until CPU-bound',
          `p95 ${s(r.pageP95)}; ${r.approved}/${r.played} approved; ${r.tooMany} 429s; ${r.cpu}`,
        ),
        row(
          `capacity pages per minute, ${who}`,
          'pages/min',
          summarize([r.pagesPerMinute]),
          first
            ? {
                name: `ideal: ${slots} slots × 60 s ÷ (${DRAFTS_PER_PAGE} × ${MODEL_LATENCY_MS / 1000} s)`,
                value: summarize([idealPerMinute]),
              }
            : { name: `${plural(one.workers, 'worker')}, this run`, value: summarize([one.pagesPerMinute]) },
          '0 429s',
          `${r.requestsPerSecond.toFixed(1)} Discord requests/s, ${restPerPage(r)}, ${r.globalWaits} REST proxy waits for the global limit`,
        ),
      );
    }
    const approvedInDatabase = await h.database.db
      .selectFrom('story_pages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'page_approved')
      .executeTakeFirstOrThrow();
    const seen = servers.reduce((sum, server) => sum + server.approved, 0);
    if (Number(approvedInDatabase.n) !== seen)
      throw new Error(`the co-writers saw ${seen} pages approved, Postgres has ${approvedInDatabase.n}`);
    return rows;
  } finally {
    for (const p of started.reverse()) await p.stop('SIGTERM', 30_000);
    await h.close();
  }
}
