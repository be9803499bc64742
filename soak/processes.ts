import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startStoryroomProcess, type StoryroomProcess } from '../loopback/processes.js';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The soak's own redis-server, without persistence (as the suite runs Redis): a restart loses every job. */
export class SoakRedis {
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => reject(new Error('redis-server exited at start')));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** RSS may grow to this multiple of its warm-up value over a process's life. */
export const MEMORY_LIMIT = 1.2;
/** A process's RSS is taken this long after it started… */
export const MEMORY_WARM_UP_MS = 30_000;
/** …and compared when it stops or the soak ends, if that is at least this much later. */
export const MEMORY_MIN_SPAN_MS = 60_000;

/** A bot or worker process the soak may kill and start again; it remembers whether an exit was ours. */
export class ManagedProcess {
  current: StoryroomProcess | null = null;
  /** Exits nobody asked for: a crash. */
  readonly crashes: string[] = [];
  readonly lines: string[] = [];
  /** RSS comparisons made, and those that grew past the limit: one per lifetime that ran long enough. */
  memoryCompared = 0;
  readonly memoryGrowth: string[] = [];
  private stopping = false;
  private warmedUp: { pid: number; bytes: number; at: number } | null = null;
  startedAt = 0;

  constructor(
    readonly name: 'bot' | 'worker',
    readonly label: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    this.warmedUp = null;
    const started = startStoryroomProcess(this.name, this.env, { onLine: (line) => this.lines.push(line) });
    this.current = started;
    this.startedAt = Date.now();
    started.child.once('exit', (code, signal) => {
      if (!this.stopping) this.crashes.push(`${this.label} exited by itself (${code ?? signal ?? '?'})`);
    });
    await started.waitForLine(this.name === 'bot' ? /bot ready/ : /worker started/, 60_000);
  }

  /** Takes this lifetime's RSS once it has run `warmUpMs`. */
  sampleWarmUp(warmUpMs: number): void {
    const pid = this.pid;
    if (!pid || this.warmedUp || Date.now() - this.startedAt < warmUpMs) return;
    const bytes = residentBytes(pid);
    if (bytes) this.warmedUp = { pid, bytes, at: Date.now() };
  }

  /**
   * Compares this lifetime's RSS now with its warm-up value, when it has run at least `minSpanMs`
   * since then (a worker killed soon after warming up says nothing about growth).
   */
  compareMemory(limit: number, minSpanMs: number): void {
    const warmedUp = this.warmedUp;
    if (!warmedUp || this.pid !== warmedUp.pid || Date.now() - warmedUp.at < minSpanMs) return;
    const now = residentBytes(warmedUp.pid);
    if (!now) return;
    this.memoryCompared += 1;
    if (now > warmedUp.bytes * limit) {
      const span = Math.round((Date.now() - warmedUp.at) / 1000);
      this.memoryGrowth.push(`${this.label} (pid ${warmedUp.pid}): ${(warmedUp.bytes / 2 ** 20).toFixed(0)} MiB after warm-up, ${(now / 2 ** 20).toFixed(0)} MiB ${span} s later`);
    }
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.current) return;
    this.compareMemory(MEMORY_LIMIT, MEMORY_MIN_SPAN_MS);
    this.stopping = true;
    await this.current.stop(signal, 30_000);
    this.current = null;
  }

  get pid(): number | null {
    return this.current?.child.pid ?? null;
  }
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
