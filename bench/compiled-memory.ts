import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCompiled, startStoryroomProcess } from '../loopback/processes.js';
import { startStoryroom } from '../loopback/stack.js';
import { rssMiB } from './processes.js';
import { row, sleep, summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A plain-JavaScript baseline process; resolves once it prints that it is ready. */
function startBare(script: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`bench/bare/${script}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not get ready`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve(child);
    });
  });
}

async function sampleRss(pids: (number | undefined)[], ms: number): Promise<number[][]> {
  const samples: number[][] = pids.map(() => []);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    pids.forEach((pid, i) => samples[i]?.push(rssMiB(pid)));
    await sleep(200);
  }
  return samples;
}

/** Resident memory of the compiled bot and worker (`npm start`, `npm run start:worker`: the bundles) against bare discord.js and BullMQ, all idle. */
export async function benchCompiledMemory(): Promise<BenchRow[]> {
  buildCompiled();
  const h = await startStoryroom('benchcompiled', { bot: false, worker: false });
  const env = { ...process.env, ...h.env, LOG_LEVEL: 'warn' };
  const bot = startStoryroomProcess('bot', env, { runtime: 'compiled' });
  const worker = startStoryroomProcess('worker', env, { runtime: 'compiled' });
  const bares: ChildProcess[] = [];
  try {
    await h.discord.waitForBotConnection({ timeoutMs: 60_000 });
    bares.push(await startBare('discord-client.mjs', env), await startBare('bullmq-worker.mjs', env));
    await sleep(3_000);
    const [botIdle, workerIdle, bareClient, bareWorker] = await sampleRss([bot.child.pid, worker.child.pid, bares[0]?.pid, bares[1]?.pid], 3_000);
    const target = '≤ 1.5× bare';
    return [
      row('compiled bot RSS, idle', 'MiB', summarize(botIdle ?? []), { name: 'bare discord.js client on the emulator, idle', value: summarize(bareClient ?? []) }, target),
      row('compiled worker RSS, idle', 'MiB', summarize(workerIdle ?? []), { name: 'bare BullMQ worker, idle', value: summarize(bareWorker ?? []) }, target),
    ];
  } finally {
    for (const child of bares) child.kill('SIGTERM');
    await Promise.all([bot.stop('SIGTERM', 10_000), worker.stop('SIGTERM', 10_000)]);
    await h.close();
  }
}
