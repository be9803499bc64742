// npm run soak -- --seconds N --seed S
// The real bot and two real workers (child processes) against the loopback Discord and model, real
// Postgres and a redis-server of the soak's own. Co-writers in several servers act at random while
// faults are injected; after a quiet period the invariants are checked and printed with their counts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startStoryroom } from '../loopback/stack.js';
import { registerCommands } from '../src/discord/register-commands.js';
import { GENERATION_QUEUE, RENDER_QUEUE } from '../src/queue/jobs.js';
import { createRedisConnection } from '../src/queue/redis.js';
import { COMFY_FAULT_WEIGHTS, SoakComfy, STEP_DELAY_MS } from './comfyui-faults.js';
import { checkInvariants, type InvariantResult } from './invariants.js';
import {
  checkPanelsMessages,
  checkRenderEndings,
  describeRenders,
  checkUnpublishedImages,
  RenderCapWatch,
  type RenderLimits,
} from './render-invariants.js';
import { freePort } from '../loopback/free-port.js';
import { startLocalServices } from '../loopback/local-services.js';
import { ThrowawayRedis } from '../loopback/throwaway-redis.js';
import { ManagedProcess, MEMORY_LIMIT, MEMORY_MIN_SPAN_MS, MEMORY_WARM_UP_MS } from './processes.js';
import { Random } from './random.js';
import { act, createRoom, type ActionLog, type SoakRoom } from './rooms.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

/** `--logs DIR`: the bot's and workers' log lines are written there at the end (one file per process). */
function logsFolder(): string | null {
  const index = process.argv.indexOf('--logs');
  return index >= 0 ? (process.argv[index + 1] ?? null) : null;
}

const seconds = argument('seconds', 90);
const seed = argument('seed', 1);
const ROOMS = 4;
const QUIET_LIMIT_MS = 120_000;
// Low enough that a hung render times out, and a stuck one is failed by the sweeper, within the run.
const RENDER_TIMEOUT_SECONDS = 8;
const MAX_RENDERS_PER_GUILD = 5;
const STUCK_PAGE_SECONDS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const random = new Random(seed);
  // Postgres as the tests find it (TEST_DATABASE_URL, the local server, else an embedded one).
  const services = await startLocalServices({ postgres: { url: process.env.TEST_DATABASE_URL, from: 'TEST_DATABASE_URL' }, redis: false });
  if (services.postgresUrl) process.env.TEST_DATABASE_URL = services.postgresUrl;
  say(services.summary);
  const redis = new ThrowawayRedis(await freePort());
  await redis.start();
  const h = await startStoryroom('soak', {
    bot: false,
    worker: false,
    // The web reader runs in this process: the soak asks it for images of stories not published.
    web: true,
    comfyui: { stepDelayMs: STEP_DELAY_MS },
    env: {
      REDIS_URL: redis.url,
      STUCK_PAGE_SECONDS: String(STUCK_PAGE_SECONDS),
      PANEL_PROMPTS: 'on',
      RENDER_TIMEOUT_SECONDS: String(RENDER_TIMEOUT_SECONDS),
      MAX_RENDERS_PER_GUILD: String(MAX_RENDERS_PER_GUILD),
      WORKER_LOCK_MS: '6000',
      GENERATION_ATTEMPTS: '3',
      MODEL_TIMEOUT_MS: '2000',
      SLOW_GENERATION_SECONDS: '20',
      LOG_LEVEL: 'info',
    },
  });
  await registerCommands({ ...h.config.discord, guildId: null });
  let modelTrouble = 0;
  h.model.setResponder((request) => {
    if (Date.now() < modelTrouble && random.next() < 0.5) {
      return random.weighted({ error: 3, limit: 2, timeout: 1, malformed: 1, refusal: 1 }) === 'timeout'
        ? { delayMs: 3_000 }
        : { fault: random.pick(['server_error', 'rate_limit', 'malformed_json', 'refusal'] as const) ?? 'server_error', retryAfterMs: 200 };
    }
    if (request.responseFormatName === 'panel_prompts') {
      const panels = Array.from({ length: 1 + random.int(3) }, (_, i) => ({
        panel: i + 1,
        scene: `The pass, view ${random.int(100)}`,
        characters: ['Kai'],
        camera: 'wide shot',
        mood: 'hushed',
        image_prompt: `snowy pass at dawn, lantern, panel ${i + 1}, variant ${random.int(10_000)}`,
        negative_prompt: 'text, watermark',
      }));
      return { json: { panels } };
    }
    return request.responseFormatName === 'dialogue_script'
      ? { json: { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: `Line ${random.int(100)}.` }] }] } }
      : { content: `The lantern swings over the pass, number ${random.int(10_000)}.`, chunkDelayMs: 20 };
  });
  const env = { ...process.env, ...h.env };
  const bot = new ManagedProcess('bot', 'bot', env);
  const workers = [new ManagedProcess('worker', 'worker 1', env), new ManagedProcess('worker', 'worker 2', env)];
  await bot.start();
  await Promise.all(workers.map((w) => w.start()));
  await h.discord.waitForBotConnection();
  const rooms: SoakRoom[] = [];
  for (let i = 0; i < ROOMS; i += 1) rooms.push(await createRoom(h.discord, i));

  const log: ActionLog = { actions: 0, kinds: {}, unanswered: [], votes: [] };
  if (!h.comfy || !h.web) throw new Error('the soak needs the loopback ComfyUI and the web reader');
  const comfy = new SoakComfy(h.comfy, random);
  const webUrl = h.web.url;
  const limits: RenderLimits = {
    timeoutMs: RENDER_TIMEOUT_SECONDS * 1000,
    // A render job's own worst case past one timeout (four more attempts, each up to its timeout, with
    // 1 + 2 + 4 + 8 s of back-off between) plus the sweeper's margin (the larger of 30 s and STUCK_PAGE_SECONDS).
    marginMs: 4 * RENDER_TIMEOUT_SECONDS * 1000 + 15_000 + Math.max(30, STUCK_PAGE_SECONDS) * 1000,
    maxPerGuild: MAX_RENDERS_PER_GUILD,
  };
  const capWatch = new RenderCapWatch(h.database.db, MAX_RENDERS_PER_GUILD);
  capWatch.start(250);
  const faults: Record<string, number> = {};
  let paused = false;
  const deadline = Date.now() + seconds * 1000;
  const processes = () => [bot, ...workers];
  // Each process's RSS after warm-up, taken by lifetime: a worker killed and started again warms up anew.
  const memoryWatch = setInterval(
    () => processes().forEach((p) => p.sampleWarmUp(Math.min(MEMORY_WARM_UP_MS, (seconds * 1000) / 4))),
    1_000,
  );

  const actors = Array.from({ length: 4 }, async () => {
    while (Date.now() < deadline) {
      if (paused) {
        await sleep(100);
        continue;
      }
      await act(h.discord, rooms, random, log);
      await sleep(50 + random.int(250));
    }
  });

  const injectFaults = async () => {
    while (Date.now() < deadline - 5_000) {
      await sleep(4_000 + random.int(6_000));
      const kind = random.weighted({
        killWorker: 3,
        restartBot: 1,
        restartRedis: 2,
        killPostgres: 2,
        model: 3,
        discord: 3,
        deleteDraft: 2,
        ...COMFY_FAULT_WEIGHTS,
      });
      // One ComfyUI fault at a time: a restart would end a lasting one (down, a hang) early.
      if (Object.hasOwn(COMFY_FAULT_WEIGHTS, kind) && comfy.busy) continue;
      faults[kind] = (faults[kind] ?? 0) + 1;
      switch (kind) {
        case 'killWorker': {
          const victim = random.pick(workers);
          if (!victim) break;
          await victim.stop('SIGKILL');
          await sleep(500 + random.int(2_000));
          await victim.start();
          break;
        }
        case 'restartBot':
          // Members do not click while no bot is connected: Discord would tell them the app did not answer.
          paused = true;
          await sleep(1_000);
          await bot.stop('SIGTERM');
          await bot.start();
          await h.discord.waitForBotConnection();
          paused = false;
          break;
        case 'restartRedis':
          await redis.stop();
          await sleep(500 + random.int(1_500));
          await redis.start();
          break;
        case 'killPostgres':
          await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${h.database.name} and pid <> pg_backend_pid()`
            .execute(h.database.db)
            .catch(() => undefined);
          break;
        case 'model':
          modelTrouble = Date.now() + 2_000 + random.int(4_000);
          break;
        case 'discord':
          h.discord.failNext(
            { method: 'PATCH', route: '/channels/:id/messages/:id', times: 1 + random.int(3) },
            random.next() < 0.5 ? { status: 429, retryAfterMs: 300 } : { status: 502, code: 0, message: 'Bad Gateway' },
          );
          break;
        case 'deleteDraft': {
          const room = random.pick(rooms);
          const threadId = room && random.pick(room.threads);
          const draft =
            threadId &&
            random.pick(h.discord.messages(threadId).filter((m) => /· (Narration|Dialogue) v\d+/.test(JSON.stringify(m.embeds))));
          if (threadId && draft) h.discord.deleteMessage(threadId, draft.id);
          break;
        }
        case 'comfyRestart':
        case 'comfyDown':
        case 'comfyError':
        case 'comfyHang':
        case 'comfyHandshake':
          await comfy.inject(kind);
          break;
      }
    }
  };
  await Promise.all([...actors, injectFaults()]);

  // Quiet: no more actions or faults; the sweeper and the retries settle what is left.
  modelTrouble = 0;
  await comfy.settle();
  const db = h.database.db;
  const connection = createRedisConnection(redis.url, 'producer');
  const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
  const renderQueue = new Queue(RENDER_QUEUE, { connection, prefix: h.config.redis.prefix });
  const quietUntil = Date.now() + QUIET_LIMIT_MS;
  let results: InvariantResult[] = [];
  for (;;) {
    await sleep(3_000);
    results = [
      ...(await checkInvariants({ db, discord: h.discord, queue, renderQueue, log })),
      ...(await checkRenderEndings(db, limits)),
      await checkPanelsMessages(db, h.discord),
    ];
    const open = results.reduce((sum, r) => sum + r.violations.length, 0);
    if (open === 0 || Date.now() > quietUntil) break;
  }

  capWatch.stop();
  results.push({
    name: `renders asked for by co-writers never above ${MAX_RENDERS_PER_GUILD} per server (sampled every 250 ms)`,
    checked: capWatch.samples,
    violations: capWatch.violations,
  });
  results.push(await checkUnpublishedImages(db, webUrl, rooms));
  const crashes = [bot, ...workers].flatMap((p) => [
    ...p.crashes,
    ...p.lines.filter((l) => /"level":60|nhandled|uncaught/i.test(l)).map((l) => `${p.label}: ${l.slice(0, 200)}`),
  ]);
  results.push({
    name: 'no crash, unhandled rejection or fatal line in the logs',
    checked: [bot, ...workers].reduce((sum, p) => sum + p.lines.length, 0),
    violations: crashes,
  });
  clearInterval(memoryWatch);
  const minSpan = Math.min(MEMORY_MIN_SPAN_MS, (seconds * 1000) / 3);
  for (const p of processes()) p.compareMemory(MEMORY_LIMIT, minSpan);
  results.push({
    name: `RSS a lifetime cannot give back within ${MEMORY_LIMIT}× of its level after warm-up (lowest late vs highest early)`,
    checked: processes().reduce((sum, p) => sum + p.memoryCompared, 0),
    violations: processes().flatMap((p) => p.memoryGrowth),
  });

  const logs = logsFolder();
  if (logs) {
    mkdirSync(logs, { recursive: true });
    for (const p of processes()) writeFileSync(join(logs, `${p.label.replace(/\s+/g, '-')}.log`), `${p.lines.join('\n')}\n`);
    say(`process logs written to ${logs}`);
  }

  let violations = 0;
  for (const result of results) {
    violations += result.violations.length;
    say(
      `${result.violations.length === 0 ? 'ok  ' : 'FAIL'} ${result.name}: ${result.checked} checked, ${result.violations.length} violations`,
    );
    for (const violation of result.violations.slice(0, 10)) say(`       ${violation}`);
  }
  const faultCount = Object.values(faults).reduce((sum, n) => sum + n, 0);
  say(
    `faults: ${
      Object.entries(faults)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  say(await describeRenders(db));
  say(
    `actions: ${
      Object.entries(log.kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  say(`actions ${log.actions}, faults ${faultCount}, violations ${violations}`);

  await renderQueue.close();
  await queue.close();
  connection.disconnect();
  await Promise.all([bot, ...workers].map((p) => p.stop('SIGTERM')));
  await h.close();
  await redis.stop();
  await services.stop();
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
