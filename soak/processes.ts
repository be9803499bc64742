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

/** A bot or worker process the soak may kill and start again; it remembers whether an exit was ours. */
export class ManagedProcess {
  current: StoryroomProcess | null = null;
  /** Exits nobody asked for: a crash. */
  readonly crashes: string[] = [];
  readonly lines: string[] = [];
  private stopping = false;
  startedAt = 0;

  constructor(
    readonly name: 'bot' | 'worker',
    readonly label: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    const started = startStoryroomProcess(this.name, this.env, { onLine: (line) => this.lines.push(line) });
    this.current = started;
    this.startedAt = Date.now();
    started.child.once('exit', (code, signal) => {
      if (!this.stopping) this.crashes.push(`${this.label} exited by itself (${code ?? signal ?? '?'})`);
    });
    await started.waitForLine(this.name === 'bot' ? /bot ready/ : /worker started/, 60_000);
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.current) return;
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
