import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCompiled, startStoryroomProcess } from '../loopback/processes.js';
import { startStoryroom } from '../loopback/stack.js';
import { rssMiB } from './processes.js';
import { row, sleep, summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A plain-JavaScript baseline process; resolves once it prints that it is ready. */
function startBare(script: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script.includes('/') ? script : `bench/bare/${script}`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not get ready`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready`));
    });
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

/**
 * The baselines bundled the way the bot and worker are (scripts/bundle.mjs: one esbuild file, whitespace
 * minified, names kept): part of what bundling saves the bot is discord.js's own modules, which a
 * bundled bare client saves too. Reported beside the plain baselines so the ratio is read fairly.
 */
async function bundleBaselines(): Promise<{ client: string; worker: string }> {
  // Inside the project, so the packages left external (ws…) resolve from node_modules as the bot's do.
  const outdir = join(ROOT, 'dist', 'bench-bare');
  await build({
    entryPoints: {
      'discord-client': join(ROOT, 'bench/bare/discord-client.mjs'),
      'bullmq-worker': join(ROOT, 'bench/bare/bullmq-worker.mjs'),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ws', 'zlib-sync', 'bufferutil', 'utf-8-validate', 'msgpackr-extract'],
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    keepNames: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { client: join(outdir, 'discord-client.mjs'), worker: join(outdir, 'bullmq-worker.mjs') };
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
    const bundled = await bundleBaselines();
    // One at a time, each kept as soon as it runs, so a baseline that fails to start does not leave the others behind.
    for (const script of ['discord-client.mjs', 'bullmq-worker.mjs', bundled.client, bundled.worker])
      bares.push(await startBare(script, env));
    await sleep(3_000);
    const [botIdle, workerIdle, bareClient, bareWorker, bundledClient, bundledWorker] = await sampleRss(
      [bot.child.pid, worker.child.pid, ...bares.map((b) => b.pid)],
      3_000,
    );
    const target = '≤ 1.5× bare';
    return [
      row(
        'compiled bot RSS, idle',
        'MiB',
        summarize(botIdle ?? []),
        { name: 'bare discord.js client on the emulator, idle', value: summarize(bareClient ?? []) },
        target,
      ),
      row(
        'compiled worker RSS, idle',
        'MiB',
        summarize(workerIdle ?? []),
        { name: 'bare BullMQ worker, idle', value: summarize(bareWorker ?? []) },
        target,
      ),
      row(
        'compiled bot RSS, idle',
        'MiB',
        summarize(botIdle ?? []),
        { name: 'the same bare client, bundled like the bot', value: summarize(bundledClient ?? []) },
        '– (fairness check)',
      ),
      row(
        'compiled worker RSS, idle',
        'MiB',
        summarize(workerIdle ?? []),
        { name: 'the same bare worker, bundled like the worker', value: summarize(bundledWorker ?? []) },
        '– (fairness check)',
      ),
    ];
  } finally {
    for (const child of bares) child.kill('SIGTERM');
    await Promise.all([bot.stop('SIGTERM', 10_000), worker.stop('SIGTERM', 10_000)]);
    await h.close();
  }
}
