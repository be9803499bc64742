import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to get redis-server, said when it is needed and missing. */
export const REDIS_INSTALL_HINT =
  'install redis-server (`apt install redis-server`, `brew install redis`) or run one (`docker run -p 6379:6379 redis`)';

/** The path of an executable found on PATH, or null. */
export function findOnPath(name: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * A redis-server of our own on a port of our own, without persistence (`--save "" --appendonly no`):
 * nothing is written to disk and a restart loses every job. start() may be called again after stop(),
 * on the same port, as a restarted server would come back.
 */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;

  /**
   * `dir` is redis-server's working folder (default: the current one; nothing is written there);
   * `onSpawn` hears each process id as soon as it exists.
   */
  constructor(
    readonly port: number,
    private readonly options: { dir?: string; detached?: boolean; onSpawn?: (pid: number) => void } = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ];
    if (this.options.dir) args.push('--dir', this.options.dir);
    // Detached: a Ctrl-C on the terminal reaches the process that started it, which stops it last.
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: this.options.detached ?? false });
    this.child = child;
    if (child.pid) this.options.onSpawn?.(child.pid);
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${this.port}:\n${output.join('')}`)), 10_000);
      const take = (chunk: Buffer) => {
        const text = chunk.toString();
        if (output.length < 50) output.push(text);
        if (text.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', take);
      child.stderr?.on('data', take);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited at start on port ${this.port}:\n${output.join('')}`));
      });
    });
  }

  /** Kills the server (nothing to save: it keeps nothing) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
