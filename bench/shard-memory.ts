import { buildCompiled, startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom } from '../loopback/stack.js';
import { rssMiB } from './processes.js';
import { row, sleep, summarize, type BenchRow, type Summary } from './stats.js';

const SHARDS = 8;
const GUILDS = 80;
/** SHARDS_PER_PROCESS values measured: one process per shard (the baseline), two processes of four, one of eight. */
const LAYOUTS = [1, 4, 8] as const;

/** Resident memory (MiB) of these processes together, sampled every 200 ms for a few seconds once they are idle. */
async function totalRss(pids: number[]): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    samples.push(pids.reduce((sum, pid) => sum + rssMiB(pid), 0));
    await sleep(200);
  }
  return samples;
}

/**
 * The compiled bot holding 8 gateway shards as `npm start` runs it (DISCORD_SHARDS=8): its manager process
 * and the shard processes it forks, SHARDS_PER_PROCESS shards to each, all counted. Each layout against its
 * own loopback Discord with 80 servers, max_concurrency 8.
 */
async function perShardMiB(perProcess: number): Promise<Summary> {
  const h = await startStoryroom(`benchshards${perProcess}`, {
    bot: false,
    worker: false,
    discord: { shards: SHARDS, maxConcurrency: SHARDS },
  });
  for (let i = 0; i < GUILDS; i += 1) h.discord.createGuild({ name: `Server ${i}` });
  const env = { ...process.env, ...h.env, LOG_LEVEL: 'info', DISCORD_SHARDS: String(SHARDS), SHARDS_PER_PROCESS: String(perProcess) };
  let bot: StoryroomProcess | null = null;
  try {
    bot = startStoryroomProcess('bot', env, { runtime: 'compiled' });
    await bot.waitForLine(/all shards ready/, 120_000);
    await h.discord.waitForBotConnection({ shards: SHARDS, timeoutMs: 60_000 });
    const children = bot.lines.map((line) => Number(/"processId":(\d+)/.exec(line)?.[1])).filter((pid) => pid > 0);
    if (children.length !== Math.ceil(SHARDS / perProcess)) throw new Error(`expected ${Math.ceil(SHARDS / perProcess)} shard processes`);
    await sleep(3_000);
    return summarize((await totalRss([bot.child.pid ?? 0, ...children])).map((mib) => mib / SHARDS));
  } finally {
    await bot?.stop('SIGTERM');
    await h.close();
  }
}

export async function benchShardMemory(): Promise<BenchRow[]> {
  buildCompiled();
  const measured = new Map<number, Summary>();
  for (const perProcess of LAYOUTS) measured.set(perProcess, await perShardMiB(perProcess));
  const baseline = { name: `${SHARDS} processes × 1 shard (SHARDS_PER_PROCESS=1)`, value: measured.get(1) as Summary };
  return LAYOUTS.filter((perProcess) => perProcess > 1).map((perProcess) =>
    row(
      `bot memory per shard at ${SHARDS} shards, ${SHARDS / perProcess} process${perProcess === SHARDS ? '' : 'es'} × ${perProcess} shards`,
      'MiB',
      measured.get(perProcess) as Summary,
      baseline,
      null,
      'resident memory of the manager and every shard process, divided by the shards',
    ),
  );
}
