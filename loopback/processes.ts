import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The entry points a test or the benchmark starts as processes of their own. */
type EntryName = 'bot' | 'worker' | 'rest-proxy';

/** A bot, worker or REST proxy process started from its real entry point, with its output kept line by line. */
export interface StoryroomProcess {
  readonly name: EntryName;
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line matching, already printed or yet to come. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

export interface ProcessOptions {
  /** Called with every line the process prints. */
  onLine?: (line: string) => void;
  /** `tsx` runs the TypeScript sources (development, tests); `compiled` runs the bundles in `dist/bundle/` with plain node, as `npm start` does (build them first with buildCompiled()). */
  runtime?: 'tsx' | 'compiled';
  /** Extra node flags before the entry (the benchmark's --cpu-prof). */
  nodeArgs?: string[];
}

/** What `npm run build` does: tsc over tsconfig.build.json into dist/, then the bot's and the worker's bundles. */
export function buildCompiled(): void {
  for (const step of [['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], ['scripts/bundle.mjs']]) {
    const run = spawnSync(process.execPath, step, { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the build failed at ${step.join(' ')}:\n${run.stdout}${run.stderr}`);
  }
}

/** The arguments to node that start a process's entry point under each runtime. */
export function entryArguments(name: EntryName, runtime: 'tsx' | 'compiled'): string[] {
  if (runtime === 'tsx') return ['--import', 'tsx', `src/${name}.ts`];
  // The REST proxy has no bundle: `npm run start:rest-proxy` runs tsc's output.
  return [name === 'rest-proxy' ? 'dist/src/rest-proxy.js' : `dist/bundle/${name}.js`];
}

/**
 * For a process a test starts while the suite's other files run on the same cores: those are not a
 * bot to yield to, and a worker at its default niceness (WORKER_NICENESS) would crawl behind them.
 */
export const BESIDE_THE_SUITE = { WORKER_NICENESS: '0' } as const;

export function startStoryroomProcess(name: EntryName, env: NodeJS.ProcessEnv, options: ProcessOptions = {}): StoryroomProcess {
  const onLine = options.onLine ?? (() => undefined);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entryArguments(name, options.runtime ?? 'tsx')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      onLine(line);
      for (const listener of listeners) listener(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    name,
    child,
    lines,
    waitForLine(pattern, timeoutMs = 30_000) {
      const found = lines.find((line) => pattern.test(line));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`${name} never printed ${String(pattern)}; last lines:\n${lines.slice(-10).join('\n')}`));
        }, timeoutMs);
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
