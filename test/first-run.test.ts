import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../loopback/free-port.js';
import { waitUntil } from '../loopback/wait-until.js';

// A newcomer's machine: nothing answers where Postgres and Redis usually are (the usual ports are
// pointed at a closed one, so the machine's own servers stay untouched), no URL is set, redis-server
// is installed. The demo and a test file must start an embedded PostgreSQL and a throwaway Redis,
// finish, and leave no process and no folder behind, also when stopped with SIGTERM.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SET_BY_THE_SUITE = ['DATABASE_URL', 'TEST_DATABASE_URL', 'DEMO_ADMIN_DATABASE_URL', 'REDIS_URL', 'TEST_REDIS_URL', 'NODE_ENV'];

interface Run {
  output: () => string;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

function run(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    output: () => text,
    waitForOutput: (pattern, timeoutMs) =>
      waitUntil(
        () => {
          if (child.exitCode !== null) throw new Error(`exited before printing ${String(pattern)}:\n${text.slice(-3000)}`);
          return pattern.exec(text);
        },
        String(pattern),
        timeoutMs,
      ),
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))),
    kill: (signal) => child.kill(signal),
  };
}

/**
 * Processes the runs started: their environment names `folder` as TMPDIR, or their command line or
 * working folder is inside it (Linux's /proc; elsewhere none are seen).
 */
function processesIn(folder: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const [cwd, environment] = (() => {
        try {
          return [readlinkSync(`/proc/${pid}/cwd`), readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')];
        } catch {
          return ['', []]; // another user's process: its command line is enough
        }
      })();
      if (command.includes(folder) || cwd.startsWith(folder) || environment.includes(`TMPDIR=${folder}`)) found.push(`${pid} ${command}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('with no Postgres or Redis running and no URL set', () => {
  let temp: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // Everything the runs create goes under this folder; others can enter it, as they can /tmp (the
    // embedded server runs as the `postgres` user when we are root).
    temp = mkdtempSync(join(tmpdir(), 'storyroom-first-run-'));
    chmodSync(temp, 0o755);
    const closed = String(await freePort());
    env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && !SET_BY_THE_SUITE.includes(name)),
    );
    Object.assign(env, { TMPDIR: temp, STORYROOM_LOCAL_PG_PORT: closed, STORYROOM_LOCAL_REDIS_PORT: closed, LOG_LEVEL: 'warn' });
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('without redis-server installed, the demo stops before starting anything, saying how to get it', async () => {
    const demo = run(['--import', 'tsx', 'loopback/demo.ts'], { ...env, PATH: join(temp, 'empty-path') });
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toMatch(
      /redis-server is not installed: install redis-server \(`apt install redis-server`, `brew install redis`\) or run one \(`docker run/,
    );
    expect(demo.output()).not.toMatch(/Postgres: embedded/);
    expect(await leftovers()).toEqual([]);
  });

  /**
   * Waits until no process the runs started is left, and says what is left on disk in the temp folder,
   * but for what is kept on purpose: the demo's rendered panels, and tsx's compile cache (`tsx-<uid>`).
   */
  async function leftovers(): Promise<string[]> {
    await waitUntil(() => processesIn(temp).length === 0, `no process left in ${temp}`, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}:\n${processesIn(temp).join('\n')}`);
    });
    return readdirSync(temp).filter((name) => !name.startsWith('storyroom-demo-panels-') && !/^tsx-\d+$/.test(name));
  }

  it('the demo starts an embedded PostgreSQL and a throwaway Redis, completes, and removes them', async () => {
    const demo = run(['--import', 'tsx', 'loopback/demo.ts'], env);
    const code = await demo.exited;
    expect(demo.output()).toMatch(/Postgres: embedded 18\.\d+ in .*storyroom-local-\w+\/postgres; Redis: throwaway on port \d+/);
    expect(demo.output()).toContain('Demo finished');
    expect(code).toBe(0);
    expect(await leftovers()).toEqual([]);
  }, 300_000);

  it('a test file does the same through the global setup', async () => {
    const vitest = run(['node_modules/vitest/vitest.mjs', 'run', 'test/page-loop.test.ts'], env);
    const code = await vitest.exited;
    expect(vitest.output()).toMatch(/Postgres: embedded 18\.\d+ in .*; Redis: throwaway on port \d+/);
    expect(code, vitest.output().slice(-3000)).toBe(0);
    expect(await leftovers()).toEqual([]);
  }, 300_000);

  it('a demo stopped with SIGTERM stops its bot, worker, Postgres and Redis and removes their folder', async () => {
    const demo = run(['--import', 'tsx', 'loopback/demo.ts'], env);
    await demo.waitForOutput(/ben presses Join/, 120_000);
    const running = processesIn(temp).join('\n');
    expect(running).toMatch(/postgres -D/);
    expect(running).toMatch(/redis-server/);
    expect(running).toMatch(/src\/bot\.ts/);
    demo.kill('SIGTERM');
    expect(await demo.exited).toBe(143);
    expect(await leftovers()).toEqual([]);
  }, 300_000);

  it('a test run stopped with SIGTERM (vitest exits without its teardown) leaves nothing either', async () => {
    const vitest = run(['node_modules/vitest/vitest.mjs', 'run', 'test/page-loop.test.ts'], env);
    await vitest.waitForOutput(/Redis: throwaway on port \d+/, 120_000);
    expect(processesIn(temp).join('\n')).toMatch(/postgres -D/);
    vitest.kill('SIGTERM');
    await vitest.exited;
    expect(await leftovers()).toEqual([]);
  }, 300_000);
});
