import { buildCompiled, startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';
import { startStoryroom } from '../loopback/stack.js';
import { rssMiB } from './processes.js';
import { row, sleep, summarize, type BenchRow } from './stats.js';

const SHARDS = 8;
const GUILDS = 80;

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
 * The compiled bot holding 8 gateway shards, two ways: one process per shard under the ShardingManager
 * (what `DISCORD_SHARDS=8 npm start` runs; the manager process counted), and one process whose
 * discord.js client holds all 8 (clustering; discord.js takes SHARDS=[…] and SHARD_COUNT from the
 * environment). Each against its own loopback Discord with 80 servers, max_concurrency 8.
 */
export async function benchShardMemory(): Promise<BenchRow[]> {
  buildCompiled();
  const measure = async (label: string, clustered: boolean): Promise<number[]> => {
    const h = await startStoryroom(`benchshards${label}`, {
      bot: false,
      worker: false,
      discord: { shards: SHARDS, maxConcurrency: SHARDS },
    });
    for (let i = 0; i < GUILDS; i += 1) h.discord.createGuild({ name: `Server ${i}` });
    const env = {
      ...process.env,
      ...h.env,
      LOG_LEVEL: 'info',
      DISCORD_SHARDS: clustered ? '1' : String(SHARDS),
      ...(clustered ? { SHARDS: JSON.stringify([...Array(SHARDS).keys()]), SHARD_COUNT: String(SHARDS) } : {}),
    };
    let bot: StoryroomProcess | null = null;
    try {
      bot = startStoryroomProcess('bot', env, { runtime: 'compiled' });
      await bot.waitForLine(clustered ? /bot ready/ : /all shards ready/, 120_000);
      await h.discord.waitForBotConnection({ shards: SHARDS, timeoutMs: 60_000 });
      const children = bot.lines.map((line) => Number(/"processId":(\d+)/.exec(line)?.[1])).filter((pid) => pid > 0);
      await sleep(3_000);
      return await totalRss([bot.child.pid ?? 0, ...children]);
    } finally {
      await bot?.stop('SIGTERM');
      await h.close();
    }
  };
  const perProcess = await measure('manager', false);
  const clustered = await measure('cluster', true);
  const perShard = (samples: number[]) => summarize(samples.map((mib) => mib / SHARDS));
  return [
    row(
      `bot memory per shard at ${SHARDS} shards, all in one process`,
      'MiB',
      perShard(clustered),
      { name: 'one process per shard (ShardingManager)', value: perShard(perProcess) },
      null,
      'resident memory of every process of the bot, divided by the shards',
    ),
  ];
}
